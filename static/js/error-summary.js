/* After a failed submission, move focus to the error summary so that keyboard and screen-reader users land on the
   list of problems (GOV.UK Design System pattern). A static file: the Content Security Policy allows no inline script. */
(function () {
  "use strict";
  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { focusSummary(document); });
  } else {
    focusSummary(document);
  }
  // A form swapped in by htmx after a 422 carries its own summary.
  document.addEventListener("htmx:afterSwap", function (event) { focusSummary(event.target); });
})();
