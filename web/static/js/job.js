/* The job page's live progress: poll the job's JSON status and copy its display texts into
   the page; reload once the job has ended, so the server shows the outcome and its links.
   Without JavaScript the page refreshes itself instead (a <noscript> meta refresh). */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.getAttribute("data-live") !== "true") {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var failures = 0;

  function show(info) {
    Object.keys(info.display).forEach(function (name) {
      var field = box.querySelector('[data-job-field="' + name + '"]');
      if (field) {
        field.textContent = info.display[name];
      }
    });
    var bar = box.querySelector("[data-job-progress]");
    if (bar && info.elapsed_s !== null) {
      bar.max = info.time_limit_s;
      bar.value = Math.min(info.elapsed_s, info.time_limit_s);
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("json") === -1) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (info) {
        failures = 0;
        show(info);
        if (info.live) {
          window.setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        // A signed-out session or a restarted server: after a few tries let the page say so.
        failures += 1;
        if (failures >= 3) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 3000);
        }
      });
  }

  window.setTimeout(poll, 500);
})();
