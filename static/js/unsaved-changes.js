/* Editing that never loses work, on pages whose content sits in an element marked data-unsaved-warning (the route
   editor): each form knows whether a field differs from what the server drew, a note under the form says so, and
   leaving the page while a form holds such changes asks first (beforeunload). A form the server drew again after
   refusing it (data-unsaved) counts as changed: what it shows is not saved.

   Parts saved with htmx answer with an HX-Trigger event carrying the route's new revision; every other form on the
   page takes it, so the next part saved is not refused as stale. A static file: the Content Security Policy
   allows no inline script. */
(function () {
  "use strict";
  var REVISION_INPUTS = 'input[name="revision"], input[name$="-revision"]';
  var submitting = null;

  function root() {
    return document.querySelector("[data-unsaved-warning]");
  }

  function selectChanged(select) {
    var options = select.options;
    var fallback = select.type === "select-one" && select.size <= 1;
    var anyDefault = false;
    for (var i = 0; i < options.length; i++) {
      if (options[i].defaultSelected) {
        anyDefault = true;
      }
    }
    for (var j = 0; j < options.length; j++) {
      // A single select with no option marked selected shows its first one.
      var byDefault = anyDefault || !fallback ? options[j].defaultSelected : j === 0;
      if (options[j].selected !== byDefault) {
        return true;
      }
    }
    return false;
  }

  function fieldChanged(field) {
    if (field.disabled || field.type === "hidden" || field.type === "submit" || field.type === "button") {
      return false;
    }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === "SELECT") {
      return selectChanged(field);
    }
    return "defaultValue" in field && field.value !== field.defaultValue;
  }

  function holdsInput(field) {
    if (field.disabled || field.type === "hidden" || field.type === "submit" || field.type === "button") {
      return false;
    }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked;
    }
    return typeof field.value === "string" && field.value.trim() !== "";
  }

  function changed(form) {
    // A refused form with nothing typed in it (an empty "add" or a reason left blank) has nothing to lose.
    if (form.hasAttribute("data-unsaved") && Array.prototype.some.call(form.elements, holdsInput)) {
      return true;
    }
    for (var i = 0; i < form.elements.length; i++) {
      if (fieldChanged(form.elements[i])) {
        return true;
      }
    }
    return false;
  }

  function forms() {
    var area = root();
    return area ? Array.prototype.slice.call(area.querySelectorAll("form")) : [];
  }

  function showNote(form) {
    var note = form.querySelector("[data-unsaved-note]");
    if (note) {
      note.hidden = !changed(form);
    }
  }

  function onEdit(event) {
    var form = event.target && event.target.form;
    var area = root();
    if (form && area && area.contains(form)) {
      showNote(form);
    }
  }

  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);

  // A form sent the ordinary way leaves the page: its own changes go with it, the others' would be lost.
  // htmx stops the submit of the forms it sends (defaultPrevented), which leave nothing.
  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) {
      submitting = event.target;
    }
  });

  window.addEventListener("beforeunload", function (event) {
    var leaving = submitting;
    submitting = null; // if the person stays, the next departure is judged afresh
    var unsaved = forms().filter(function (form) {
      return form !== leaving && changed(form);
    });
    if (unsaved.length === 0) {
      return undefined;
    }
    var message = root().getAttribute("data-unsaved-message") || "";
    event.preventDefault();
    event.returnValue = message; // older browsers need a value; none shows a page's own text any more
    return message;
  });

  document.addEventListener("route-revision", function (event) {
    var revision = event.detail && event.detail.revision;
    var area = root();
    if (revision === undefined || revision === null || !area) {
      return;
    }
    area.querySelectorAll(REVISION_INPUTS).forEach(function (input) {
      input.value = String(revision);
      input.defaultValue = String(revision);
    });
  });

  // Only the latest confirmation stays: an older one would vouch for a part edited since.
  document.addEventListener("htmx:beforeSwap", function () {
    document.querySelectorAll("[data-saved-note]").forEach(function (note) {
      note.remove();
    });
  });

  // A part saved with htmx comes back drawn afresh: its note goes, and the confirmation takes the focus that the
  // pressed button (now replaced) had, so that keyboard and screen-reader users hear the outcome.
  document.addEventListener("htmx:afterSwap", function (event) {
    forms().forEach(showNote);
    var saved = document.querySelector("[data-saved-note]");
    if (saved && !document.querySelector("[data-error-summary]:focus")) {
      saved.focus();
    }
  });
})();
