/* Optional enhancements only: every page works without this file. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so screen reader and keyboard users hear what to fix.
    var summary = document.querySelector("[data-focus]");
    if (summary) { summary.focus(); }
    // A link in the summary moves focus to its field (not only scrolls to it).
    document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) { return; }
        var input = target.matches("input, select, textarea") ? target
          : target.querySelector("input, select, textarea");
        if (input) { event.preventDefault(); input.focus(); input.scrollIntoView({block: "center"}); }
      });
    });
    // Guard against a double click sending a form twice.
    document.querySelectorAll("form[method='post']").forEach(function (form) {
      form.addEventListener("submit", function () {
        window.setTimeout(function () {
          form.querySelectorAll("button[type='submit']").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
  });
}());
