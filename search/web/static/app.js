// The one script: a copy-citation button. Everything else works without JavaScript.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("copy-citation");
  if (!button) return;
  var status = document.getElementById("copied");
  button.hidden = false;
  button.addEventListener("click", function () {
    var text = document.getElementById(button.dataset.target).textContent;
    function done() { status.textContent = "Copied"; }
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy"); done(); } catch (e) { status.textContent = "Select the text to copy it"; }
      area.remove();
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  });
});
