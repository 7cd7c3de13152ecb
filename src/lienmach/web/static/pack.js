// The packing station for a barcode scanner: a scanner types the code and presses Enter, so
// each submit of the scan form is sent at once with fetch() (the same POST the form makes
// without JavaScript, CSRF token included) and its answer shown in green or red, the counts
// updated, and the input emptied and focused again for the next scan.
(function () {
  "use strict";

  function start() {
    var station = document.getElementById("station");
    var form = document.getElementById("scan-form");
    if (!station || !form || !window.fetch || !window.FormData) {
      return; // the plain form POST still works
    }
    var input = document.getElementById("scan-code");
    var answer = document.getElementById("scan-answer");
    var verified = document.getElementById("verified");
    var closeButton = document.getElementById("close-button");
    var closeHint = document.getElementById("close-hint");
    var busy = false;

    function show(accepted, message) {
      answer.textContent = message;
      answer.className = "scan-answer " + (accepted ? "ok" : "error");
      answer.setAttribute("role", accepted ? "status" : "alert");
      answer.dataset.accepted = accepted ? "true" : "false";
    }

    function apply(result) {
      show(result.accepted, result.message);
      verified.textContent = String(result.verified);
      verified.dataset.verified = String(result.verified);
      Object.keys(result.lines || {}).forEach(function (id) {
        var row = document.querySelector('tr[data-line="' + id + '"]');
        if (row) {
          row.querySelector(".line-scanned").textContent = String(result.lines[id]);
        }
      });
      if (closeButton) {
        closeButton.disabled = !result.complete;
      }
      if (closeHint) {
        closeHint.hidden = result.complete;
      }
    }

    // A scanner can send the next code before the last answer came: codes wait in order.
    var waiting = [];

    function sendNext() {
      if (busy || waiting.length === 0) {
        return;
      }
      busy = true;
      var body = new FormData();
      body.append("csrf_token", form.elements.csrf_token.value);
      body.append("code", waiting.shift());
      fetch(station.dataset.scanUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      })
        .then(function (response) {
          var type = response.headers.get("content-type") || "";
          if (type.indexOf("application/json") === -1) {
            throw new Error("status " + response.status);
          }
          return response.json();
        })
        .then(apply)
        .catch(function () {
          show(false, station.dataset.failedText);
        })
        .finally(function () {
          busy = false;
          input.focus();
          sendNext();
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      waiting.push(input.value);
      input.value = "";
      input.focus();
      sendNext();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
