// Planning run page: poll the run's JSON endpoint every second, move the progress bar
// and its text, and reload the page once the run has finished so the server shows the
// outcome. Without JavaScript the page keeps its "Refresh" link.
(function () {
  "use strict";

  var POLL_MS = 1000;
  // After a failed request, wait twice as long before the next one, up to this many ms.
  var MAX_RETRY_MS = 10000;

  function start(section) {
    var url = section.dataset.statusUrl;
    var bar = document.getElementById("planning-progress");
    var text = document.getElementById("planning-progress-text");
    var refresh = document.getElementById("planning-refresh");
    var retryMs = POLL_MS;

    if (refresh) {
      refresh.hidden = true;
    }

    function show(run) {
      bar.value = run.progress;
      bar.textContent = run.progress + " %";
      if (text.textContent !== run.progress_text) {
        text.textContent = run.progress_text;
      }
    }

    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("status " + response.status);
          }
          return response.json();
        })
        .then(function (run) {
          retryMs = POLL_MS;
          show(run);
          if (run.is_finished) {
            window.location.reload();
            return;
          }
          window.setTimeout(poll, POLL_MS);
        })
        .catch(function () {
          retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
          if (refresh) {
            refresh.hidden = false;
          }
          window.setTimeout(poll, retryMs);
        });
    }

    window.setTimeout(poll, POLL_MS);
  }

  var section = document.getElementById("planning-run");
  if (section && section.dataset.finished !== "true" && window.fetch) {
    start(section);
  }
})();
