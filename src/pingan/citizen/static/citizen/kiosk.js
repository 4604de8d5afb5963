// Self-service terminal pages: the idle timer that clears the session (the server clears it too, on the next
// request after the same time), and printing the ticket. Loaded from the site (CSP: script-src 'self').
(function () {
  "use strict";
  var root = document.querySelector("[data-kiosk-idle]");
  var end = document.getElementById("kiosk-end");
  if (root && end) {
    var ms = parseInt(root.getAttribute("data-kiosk-idle"), 10) * 1000;
    var timer = null;
    var arm = function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(function () { end.submit(); }, ms);
    };
    ["pointerdown", "keydown", "input", "touchstart", "wheel"].forEach(function (name) {
      document.addEventListener(name, arm, { passive: true });
    });
    arm();
  }
  var print = function () { window.print(); };
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (b) {
    b.addEventListener("click", print);
  });
  if (document.querySelector("[data-autoprint]")) { print(); }
})();
