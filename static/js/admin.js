/* The admin's autocomplete pickers (select2) label their combobox with the chosen value's element, which is empty
   until something is chosen: give the combobox and that element the field's own label as their name (WCAG 4.1.2).
   Runs after Django's autocomplete.js has set the pickers up, and again for each inline row added. */
"use strict";
(function () {
    function nameAutocompletePickers() {
        document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
            var label = document.querySelector('label[for="' + select.id + '"]');
            var picker = select.nextElementSibling;
            if (!label || !picker) {
                return;
            }
            if (!label.id) {
                label.id = select.id + "-label";
            }
            picker.querySelectorAll('[role="combobox"]').forEach(function (box) {
                box.setAttribute("aria-labelledby", label.id);
            });
            picker.querySelectorAll('[role="textbox"]').forEach(function (box) {
                box.setAttribute("aria-labelledby", label.id);
            });
        });
    }
    if (window.django && window.django.jQuery) {
        window.django.jQuery(nameAutocompletePickers);
        window.django.jQuery(document).on("formset:added", function () {
            window.setTimeout(nameAutocompletePickers);
        });
    } else {
        document.addEventListener("DOMContentLoaded", nameAutocompletePickers);
    }
})();
