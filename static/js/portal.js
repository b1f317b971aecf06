// Small page-wide behaviours (the CSP forbids inline scripts).
(function () {
  "use strict";
  // On a narrow screen a wide table scrolls inside its own box (static/css/portal.css);
  // a keyboard user must be able to reach and scroll it, so such a table takes focus.
  function focusableScrollers() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.setAttribute("tabindex", "0");
      } else if (table.getAttribute("tabindex") === "0") {
        table.removeAttribute("tabindex");
      }
    });
  }
  focusableScrollers();
  window.addEventListener("resize", focusableScrollers);
})();
