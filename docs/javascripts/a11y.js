// Accessibility fixes to Material's markup that CSS cannot make:
// * the search overlay is a dialog and needs a name;
// * a code block that scrolls sideways must be reachable with the keyboard.
(function () {
  "use strict";
  function fix() {
    document.querySelectorAll('.md-search[role="dialog"]').forEach(function (el) {
      el.setAttribute("aria-label", "Search the gallery");
    });
    document.querySelectorAll(".md-typeset pre > code").forEach(function (code) {
      if (!code.hasAttribute("tabindex")) code.setAttribute("tabindex", "0");
    });
  }
  // The script runs at the end of <body>, after the elements it fixes; run again once
  // Material has mounted its components.
  fix();
  document.addEventListener("DOMContentLoaded", fix);
  window.addEventListener("load", fix);
})();
