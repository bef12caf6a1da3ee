/* On narrow screens (and at 400 % zoom) data tables stack into one block per row (app.css, WCAG 1.4.10). Each cell
   then needs its column's heading beside it: copy the heading into data-label, which the stylesheet shows before
   the cell. A static file: the Content Security Policy allows no inline script. */
(function () {
  "use strict";
  function label(root) {
    root.querySelectorAll("table.table").forEach(function (table) {
      var headings = [];
      table.querySelectorAll("thead tr:last-child th").forEach(function (th) {
        var span = parseInt(th.getAttribute("colspan") || "1", 10);
        for (var i = 0; i < span; i += 1) { headings.push(th.textContent.trim()); }
      });
      if (!headings.length) { return; }
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && headings[column]) { cell.setAttribute("data-label", headings[column]); }
          column += parseInt(cell.getAttribute("colspan") || "1", 10);
        });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { label(document); });
  } else {
    label(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) { label(event.target); });
})();
