// Every form that posts: a second submit while the first one is on its way is ignored,
// so a double tap on a button that re-plans a session or records a door sends one
// request. The form is marked busy until the next page replaces it. A form whose response
// leaves the page in place, such as a file download, is released after a while.
// NOTE: no browser test covers a second tap during a slow request: in the tests, the
// page's script context ended before a second submit could be sent.
(function () {
  "use strict";

  var RELEASE_MS = 10000;

  function release(form) {
    delete form.dataset.submitting;
    form.removeAttribute("aria-busy");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)
      || form.method.toLowerCase() !== "post") {
      return;
    }
    if (form.dataset.submitting) {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "true";
    form.setAttribute("aria-busy", "true");
    window.setTimeout(function () { release(form); }, RELEASE_MS);
  });

  // A page shown again from the browser's history gets its forms back.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(release);
  });
})();
