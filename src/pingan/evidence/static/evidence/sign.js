// The signature pad of the case page: the holder or the witness signs with a finger or a stylus; on submit
// the drawing goes to the server as a PNG (data URL in a hidden field), where it is hashed and stored.
(function () {
  "use strict";
  document.querySelectorAll("form.sign-form").forEach(function (form) {
    var pad = form.querySelector("canvas.sign-pad");
    var out = form.querySelector("input.sign-png");
    var ctx = pad.getContext("2d");
    var drawn = false, down = false;
    ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#000";
    var at = function (e) {
      var r = pad.getBoundingClientRect();
      return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
    };
    pad.style.touchAction = "none";
    pad.addEventListener("pointerdown", function (e) { down = true; var p = at(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]); });
    pad.addEventListener("pointermove", function (e) {
      if (!down) return;
      var p = at(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); drawn = true;
    });
    ["pointerup", "pointerleave"].forEach(function (n) { pad.addEventListener(n, function () { down = false; }); });
    form.querySelector(".sign-clear").addEventListener("click", function () {
      ctx.clearRect(0, 0, pad.width, pad.height); drawn = false;
    });
    form.addEventListener("submit", function (e) {
      if (!drawn) { e.preventDefault(); pad.focus(); return; }
      out.value = pad.toDataURL("image/png");
    });
  });
})();
