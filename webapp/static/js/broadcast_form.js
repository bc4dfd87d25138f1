// Broadcast pages. On the form: show only the fields of the chosen channel and segment,
// refresh the reach and cost as the coordinator types, and stop a second click on Send.
// On a broadcast's page: poll its progress every two seconds until every message is
// settled. Both pages work without this script; it only saves reloads.
(function () {
  "use strict";

  var ESTIMATE_DELAY_MS = 400;
  var POLL_INTERVAL_MS = 2000;

  function checkedValue(form, name) {
    var input = form.querySelector("input[name='" + name + "']:checked");
    return input ? input.value : "";
  }

  function showChosenFields(form) {
    var channel = checkedValue(form, "channel");
    var segment = checkedValue(form, "segment");
    form.querySelectorAll("[data-channel]").forEach(function (element) {
      element.hidden = element.dataset.channel !== channel;
    });
    form.querySelectorAll("[data-segment]").forEach(function (element) {
      element.hidden = element.dataset.segment !== segment;
    });
  }

  function initForm(form) {
    var target = document.getElementById("broadcast-estimate");
    var url = form.dataset.estimateUrl;
    var timer = null;
    var pending = null;

    function refreshEstimate() {
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: pending.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data && target) {
            target.innerHTML = data.html;
          }
        })
        .catch(function () {
          // A failed refresh leaves the last figures, and the Preview button still works.
        });
    }

    function scheduleEstimate() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refreshEstimate, ESTIMATE_DELAY_MS);
    }

    showChosenFields(form);
    form.addEventListener("change", function () {
      showChosenFields(form);
      scheduleEstimate();
    });
    form.addEventListener("input", scheduleEstimate);
    form.addEventListener("submit", function (event) {
      var sendButton = form.querySelector("[data-send-button]");
      if (event.submitter === sendButton) {
        if (form.dataset.sent === "true") {
          event.preventDefault();
          return;
        }
        form.dataset.sent = "true";
        // A hidden copy keeps the intent once the button is disabled.
        var intent = document.createElement("input");
        intent.type = "hidden";
        intent.name = "intent";
        intent.value = "send";
        form.appendChild(intent);
        sendButton.disabled = true;
      }
    });
  }

  function initProgress(section) {
    var url = section.dataset.progressUrl;
    var bar = document.getElementById("progress-bar");
    var percent = document.getElementById("progress-percent");
    var counts = document.getElementById("progress-counts");
    var state = document.getElementById("broadcast-state");

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (!data) {
            window.setTimeout(poll, POLL_INTERVAL_MS);
            return;
          }
          bar.value = data.percent_done;
          percent.textContent = data.percent_label;
          counts.innerHTML = data.html;
          if (state) {
            state.textContent = data.state_label;
          }
          section.dataset.complete = data.is_complete ? "true" : "false";
          if (!data.is_complete) {
            window.setTimeout(poll, POLL_INTERVAL_MS);
          }
        })
        .catch(function () {
          window.setTimeout(poll, POLL_INTERVAL_MS);
        });
    }

    if (section.dataset.complete !== "true") {
      window.setTimeout(poll, POLL_INTERVAL_MS);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("broadcast-form");
    if (form) {
      initForm(form);
    }
    var progress = document.getElementById("broadcast-progress");
    if (progress) {
      initProgress(progress);
    }
  });
})();
