// Drag and drop onto the roster drop zone: browsers already accept a file dropped on a file input; this
// script also accepts it anywhere on the zone, highlights the zone, and shows the chosen file's name.
(function () {
  // The "upload the full roster" warning names the chosen premises' last roster only (the page renders the
  // premises chosen, the others hidden): show the one of the premises picked in the selector.
  // (a select, or radio buttons when the account has a few premises)
  var form = document.getElementById("upload-form");
  if (form) {
    form.addEventListener("change", function (e) {
      if (e.target.name !== "premises") return;
      var value = e.target.value;
      document.querySelectorAll("#full-roster .baseline").forEach(function (el) {
        el.hidden = el.getAttribute("data-premises") !== value;
      });
    });
  }
})();
(function () {
  var zone = document.getElementById("dropzone");
  if (!zone) return;
  var input = zone.querySelector("input[type=file]");
  var chosen = document.getElementById("chosen");
  // A file over the upload limit is refused here, before its megabytes travel to be refused by the server (which
  // checks again: without script the form still works). It says what to do instead: one smaller file, not parts.
  var max = Number(input.getAttribute("data-max-bytes")) || 0;
  var told = document.getElementById("too-large");
  function check() {
    var f = input.files.length ? input.files[0] : null;
    var big = max && f && f.size > max;
    var text = big ? input.getAttribute("data-too-large").replace("{name}", f.name)
      .replace("{size}", (Math.ceil(f.size / 104857.6) / 10).toFixed(1)) : "";
    input.setCustomValidity(text);
    if (told) { told.textContent = text; told.hidden = !big; }
  }
  function show() { chosen.textContent = input.files.length ? input.files[0].name : (chosen.dataset.none || ""); check(); }
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach(function (t) {
    zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    zone.addEventListener(t, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; show(); }
  });
})();
