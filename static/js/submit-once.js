/* One submission, one object: a form's submit buttons disable themselves once the
   form is sent, so a double click posts once. The server is the real guard (each
   create form carries a one-time token, core.views.claim_submission); this only
   spares the second request. A page restored from the back/forward cache gets its
   buttons back. Forms opt out with data-submit-once="off". No inline script (CSP). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if ((form.method || "").toLowerCase() !== "post" || form.dataset.submitOnce === "off") return;
    if (form.dataset.submitted === "true") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "true";
    // After the submit event, so the clicked button's name/value is still sent.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit], button:not([type])").forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
      });
    }, 0);
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submitted=true]").forEach(function (form) {
      delete form.dataset.submitted;
      form.querySelectorAll("[aria-disabled=true]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
      });
    });
  });
})();
