// Sends a heartbeat while the stream page is visible; stops when another device takes over.
(function () {
  "use strict";
  var stream = document.getElementById("stream");
  var status = document.getElementById("stream-status");
  if (!stream) { return; }
  var seconds = Math.max(parseFloat(stream.dataset.interval) || 45, 0.1);
  var stopped = false;
  var timer = null;

  function beat() {
    if (stopped || document.visibilityState !== "visible") { return; }
    var body = new URLSearchParams({ viewer: stream.dataset.viewer });
    fetch(stream.dataset.heartbeatUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": stream.dataset.csrf }
    }).then(function (response) {
      return response.json().then(function (data) { return data; });
    }).then(function (data) {
      if (data.result === "taken_over") {
        stop();
        status.textContent = status.dataset.takenOver;
        var player = stream.querySelector("video");
        if (player) { player.pause(); }
      } else if (data.result === "counted") {
        status.textContent = status.dataset.minutes + " " + data.minutes;
      }
    }).catch(function () { /* offline for a moment: the next beat tries again */ });
  }

  function stop() {
    stopped = true;
    if (timer) { clearInterval(timer); }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { beat(); }
  });
  beat();
  timer = setInterval(beat, seconds * 1000);
})();
