// Keeps the live parts of a back-office page up to date: every element with
// data-live="<url>" is fetched again every few seconds (data-live-every, in ms) and its content
// replaced when the server answers something new. No library: the machine running the shop
// may have no internet access.
(function () {
  "use strict";
  var DEFAULT_EVERY = 4000;

  function refresh(element) {
    if (document.hidden || element.dataset.liveBusy === "1") {
      return;
    }
    element.dataset.liveBusy = "1";
    fetch(element.dataset.live, { credentials: "same-origin", headers: { "X-Live": "1" } })
      .then(function (response) {
        if (response.status === 401) {
          // The session ended: reloading shows the login page.
          window.location.reload();
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && html !== element.dataset.liveLast) {
          element.innerHTML = html;
          element.dataset.liveLast = html;
          element.dispatchEvent(new CustomEvent("live:updated", { bubbles: true }));
        }
      })
      .catch(function () {
        // Offline for a moment: the next round tries again.
      })
      .finally(function () {
        element.dataset.liveBusy = "0";
      });
  }

  function start() {
    var elements = document.querySelectorAll("[data-live]");
    Array.prototype.forEach.call(elements, function (element) {
      var every = parseInt(element.dataset.liveEvery || "", 10) || DEFAULT_EVERY;
      window.setInterval(function () { refresh(element); }, every);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
