// Forms of the accounts pages: bring the error summary to the reader's attention and
// move the focus to the field that a summary link names.
(function () {
  "use strict";

  function focusTarget(event) {
    var id = event.currentTarget.getAttribute("href").slice(1);
    var target = document.getElementById(id);
    if (!target) {
      return;
    }
    event.preventDefault();
    target.scrollIntoView({ block: "center" });
    target.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.focus();
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", focusTarget);
    });
  });
})();
