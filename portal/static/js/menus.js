// The header's disclosure menus (<details>) work without JavaScript; this only closes an open
// one on Escape (focus back on its summary) or on a click outside it, as people expect of a menu.
(function () {
  "use strict";
  function openMenus() { return document.querySelectorAll("details.menu[open]"); }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (menu) {
      menu.removeAttribute("open");
      if (menu.contains(document.activeElement)) menu.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) { if (!menu.contains(event.target)) menu.removeAttribute("open"); });
  });
}());
