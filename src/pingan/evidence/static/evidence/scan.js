// The store's scan counter. A handheld scanner types the label and presses Enter (the form handles it).
// On a phone whose browser has the Shape Detection API (BarcodeDetector: Chrome on Android), the camera reads
// the label's QR code or Code 128 and fills the field; nothing is sent anywhere but this server.
(function () {
  "use strict";
  var button = document.getElementById("scan-camera");
  var video = document.getElementById("scan-video");
  var field = document.getElementById("scan-label");
  if (!button || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  button.hidden = false;
  button.addEventListener("click", async function () {
    var detector = new window.BarcodeDetector({formats: ["qr_code", "code_128"]});
    var stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}});
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; };
    var look = async function () {
      var codes = await detector.detect(video).catch(function () { return []; });
      if (codes.length) {
        field.value = codes[0].rawValue;
        stop();
        field.form.location.focus();
        return;
      }
      if (!video.hidden) requestAnimationFrame(look);
    };
    look();
  });
})();
