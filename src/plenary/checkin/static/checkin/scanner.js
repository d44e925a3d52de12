/* The door scanner: camera (BarcodeDetector, else jsQR), keyboard-wedge scanners and search by name
   or reference; full-screen results with sound and vibration; offline decisions and a sync queue. */
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root) return;
  var S = JSON.parse(document.getElementById("checkin-strings").textContent);
  var C = JSON.parse(document.getElementById("checkin-config").textContent);
  var store = window.CheckinStore;
  var csrf = root.getAttribute("data-csrf");
  var sessionId = C.session_id;
  var device = "scanner";
  var byCode = {};
  var byReference = {};
  var entries = [];
  var syncing = false;
  var hideTimer = null;

  var input = document.getElementById("scan-input");
  var form = document.getElementById("scan-form");
  var matches = document.getElementById("matches");
  var result = document.getElementById("result");
  var network = document.getElementById("network");
  var syncStatus = document.getElementById("sync-status");
  var arrived = document.getElementById("arrived");
  var expected = document.getElementById("expected");

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, key) { return values[key]; });
  }

  function timeOf(iso) {
    if (!iso) return "";
    try {
      return new Date(iso).toLocaleTimeString("en-GB", { timeZone: C.time_zone, hour: "2-digit", minute: "2-digit", hour12: false });
    } catch (error) {
      return String(iso).substr(11, 5);
    }
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) {
        var error = new Error("HTTP " + response.status);
        error.status = response.status;
        throw error;
      }
      return response.json();
    });
  }

  /* The roster: codes and names, kept in IndexedDB for offline decisions. */
  function indexRoster(roster) {
    entries = roster.entries || [];
    byCode = {};
    byReference = {};
    entries.forEach(function (entry) {
      byCode[entry.code] = entry;
      byReference[entry.reference.toUpperCase()] = entry;
    });
    if (roster.counts) setCounts(roster.counts);
  }

  function loadRoster() {
    return fetch(C.roster_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (roster) {
        indexRoster(roster);
        return store.saveRoster(roster);
      })
      .catch(function () {
        return store.roster(sessionId).then(function (roster) { if (roster) indexRoster(roster); });
      });
  }

  function saveRoster() {
    return store.saveRoster({ session_id: sessionId, entries: entries, counts: currentCounts() });
  }

  function currentCounts() {
    return { arrived: parseInt(arrived.textContent, 10) || 0, expected: parseInt(expected.textContent, 10) || 0 };
  }

  function setCounts(counts) {
    if (!counts) return;
    arrived.textContent = counts.arrived;
    expected.textContent = counts.expected;
  }

  /* The result screen. */
  function colour(answer) {
    if (answer.result === "checked_in" || answer.result === "checked_out") return "green";
    if (answer.result === "already_checked_in") return "amber";
    if (answer.result === "not_registered_for_session" && ["registered_online", "waitlisted", "pending"].indexOf(answer.detail) >= 0) return "amber";
    return "red";
  }

  var audio = null;
  function signal(kind) {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (Context) {
        audio = audio || new Context();
        var tones = kind === "green" ? [[880, 0.12]] : kind === "amber" ? [[660, 0.1], [660, 0.1]] : [[220, 0.45]];
        var at = audio.currentTime;
        tones.forEach(function (tone) {
          var oscillator = audio.createOscillator();
          var gain = audio.createGain();
          oscillator.frequency.value = tone[0];
          gain.gain.value = 0.2;
          oscillator.connect(gain);
          gain.connect(audio.destination);
          oscillator.start(at);
          oscillator.stop(at + tone[1]);
          at += tone[1] + 0.06;
        });
      }
    } catch (error) { /* no sound on this device */ }
    if (navigator.vibrate) navigator.vibrate(kind === "green" ? 80 : kind === "amber" ? [80, 60, 80] : 400);
  }

  function show(answer, offline) {
    var kind = colour(answer);
    var title;
    if (answer.result === "already_checked_in") {
      var template = answer.detail === "this_device" ? S.already_checked_in_here : S.already_checked_in;
      title = format(template, { time: timeOf(answer.first_checked_in_at) });
    } else if (answer.result === "not_registered_for_session" && S[answer.detail]) {
      title = S[answer.detail];
    } else {
      title = S[answer.result] || answer.result;
    }
    var details = [];
    if (answer.detail === "other_device") details.push(S.other_device);
    if (offline) details.push(S.offline_decision);
    result.className = "result result-" + kind;
    result.setAttribute("data-result", answer.result);
    document.getElementById("result-title").textContent = title;
    document.getElementById("result-name").textContent = answer.name || "";
    document.getElementById("result-detail").textContent = details.join(" · ");
    result.hidden = false;
    signal(kind);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, kind === "green" ? 3000 : 6000);
  }

  function hide() {
    result.hidden = true;
  }

  /* Offline: decide as the server would from the roster and this device's own scans. */
  function decideLocally(code, scannedAt) {
    var entry = byCode[code];
    if (!entry) return Promise.resolve({ result: "unknown_code", detail: "" });
    var answer = { name: [entry.name_en, entry.name_zh].filter(Boolean).join(" "), reference: entry.reference, detail: "" };
    if (entry.state === "cancelled") { answer.result = "cancelled"; return Promise.resolve(answer); }
    if (entry.state === "online" || entry.state === "waitlisted") {
      answer.result = "not_registered_for_session";
      answer.detail = entry.state === "online" ? "registered_online" : "waitlisted";
      return Promise.resolve(answer);
    }
    return store.seen(sessionId, code).then(function (seen) {
      if (seen) {
        answer.result = "already_checked_in";
        answer.detail = "this_device";
        answer.first_checked_in_at = seen.at;
      } else if (entry.checked_in_at) {
        answer.result = "already_checked_in";
        answer.first_checked_in_at = entry.checked_in_at;
      } else {
        answer.result = "checked_in";
        entry.checked_in_at = scannedAt;
        setCounts({ arrived: currentCounts().arrived + 1, expected: currentCounts().expected });
        return store.markSeen(sessionId, code, scannedAt).then(saveRoster).then(function () { return answer; });
      }
      return answer;
    });
  }

  function remember(code, answer) {
    var entry = byCode[code];
    if (entry && answer.first_checked_in_at) entry.checked_in_at = answer.first_checked_in_at;
    if (answer.result === "checked_in") return store.markSeen(sessionId, code, answer.first_checked_in_at);
    return Promise.resolve();
  }

  function scan(code) {
    code = (code || "").trim();
    if (!code) return Promise.resolve();
    var event = {
      code: code,
      session_id: sessionId,
      client_event_id: uuid(),
      scanned_at: new Date().toISOString(),
      device: device
    };
    var online = navigator.onLine ? post(C.scan_url, event) : Promise.reject(new Error("offline"));
    return online.then(function (answer) {
      setCounts(answer.counts);
      show(answer, false);
      return remember(code, answer);
    }, function (error) {
      if (error.status === 403) { show({ result: "unknown_code", name: S.not_allowed }, false); return null; }
      if (error.status) { show({ result: "error", name: S.error }, false); return null; }
      return decideLocally(code, event.scanned_at).then(function (answer) {
        event.local_result = answer.result;
        return store.enqueue(event).then(function () {
          show(answer, true);
          return updatePending();
        });
      });
    });
  }

  /* Back online: send the queue; the server's answer wins. */
  function updatePending() {
    return store.queued(sessionId).then(function (queued) {
      var count = queued.length;
      syncStatus.textContent = count ? format(S.pending_sync, { count: count }) : S.nothing_to_sync;
      syncStatus.setAttribute("data-pending", String(count));
      return count;
    });
  }

  function sync() {
    if (syncing || !navigator.onLine) return Promise.resolve();
    syncing = true;
    return store.queued(sessionId).then(function (queued) {
      if (!queued.length) return null;
      queued.sort(function (a, b) { return a.scanned_at < b.scanned_at ? -1 : 1; });
      var batch = queued.slice(0, 1000);
      return post(C.batch_url, {
        session_id: sessionId,
        device: device,
        scans: batch.map(function (item) {
          return { code: item.code, client_event_id: item.client_event_id, scanned_at: item.scanned_at, local_result: item.local_result || "" };
        })
      }).then(function (reply) {
        reply.results.forEach(function (answer, index) { remember(batch[index].code, answer); });
        setCounts(reply.counts);
        syncStatus.setAttribute("data-synced", String(reply.results.length));
        return store.dequeue(batch.map(function (item) { return item.client_event_id; })).then(saveRoster).then(function () {
          return { synced: reply.results.length, duplicates: reply.duplicates, more: queued.length > batch.length };
        });
      });
    }).then(function (outcome) {
      syncing = false;
      return updatePending().then(function () {
        if (outcome) {
          network.textContent = format(S.synced, { count: outcome.synced, duplicates: outcome.duplicates });
          if (outcome.more) return sync();
        }
        return null;
      });
    }, function () {
      syncing = false;
      return updatePending();
    });
  }

  function setNetwork() {
    var online = navigator.onLine;
    network.textContent = online ? S.online : S.offline;
    network.className = "network " + (online ? "network-online" : "network-offline");
    if (online) sync();
  }

  /* Typing: a keyboard-wedge scanner types the code and presses Enter; people type a reference or name. */
  function nameMatches(text) {
    text = text.trim().toLowerCase();
    if (text.length < 2) return [];
    return entries.filter(function (entry) {
      return (entry.name_en || "").toLowerCase().indexOf(text) >= 0 || (entry.name_zh || "").indexOf(text) >= 0;
    }).slice(0, 8);
  }

  /* A typed value the roster resolves: a code, or null when it does not know it or several names match. */
  function resolveLocally(value) {
    var byRef = byReference[value.toUpperCase()];
    if (byRef) return byRef.code;
    if (byCode[value]) return value;
    var found = nameMatches(value);
    if (found.length === 1) return found[0].code;
    return null;
  }

  function renderMatches(list) {
    matches.textContent = "";
    list.forEach(function (entry) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "match";
      button.textContent = format(S.check_in_person, { name: [entry.name_en, entry.name_zh].filter(Boolean).join(" ") }) + " · " + entry.reference;
      button.addEventListener("click", function () {
        input.value = "";
        matches.textContent = "";
        scan(entry.code);
        input.focus();
      });
      item.appendChild(button);
      matches.appendChild(item);
    });
  }

  function showMessage(text) {
    matches.textContent = "";
    var item = document.createElement("li");
    item.className = "no-match";
    item.setAttribute("role", "status");
    item.textContent = text;
    matches.appendChild(item);
  }

  function showMatches() {
    var value = input.value;
    if (byCode[value.trim()] || byReference[value.trim().toUpperCase()]) { matches.textContent = ""; return; }
    renderMatches(nameMatches(value));
  }

  /* The server knows everyone even when this device's roster is not loaded yet (or is stale). */
  function lookUp(value) {
    return fetch(C.lookup_url + "?q=" + encodeURIComponent(value), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error("lookup " + response.status);
      return response.json();
    });
  }

  function looksLikePassCode(value) {
    return /^P[A-Za-z0-9_-]{20,}$/.test(value);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = input.value.trim();
    if (!value) return;
    var code = resolveLocally(value);
    if (code) {
      input.value = "";
      matches.textContent = "";
      scan(code);
      input.focus();
      return;
    }
    var several = nameMatches(value);
    if (several.length > 1) { renderMatches(several); return; }
    if (looksLikePassCode(value)) {
      input.value = "";
      matches.textContent = "";
      scan(value);
      return;
    }
    lookUp(value).then(function (reply) {
      var found = reply.matches || [];
      if (found.length === 1) {
        input.value = "";
        matches.textContent = "";
        scan(found[0].code);
        input.focus();
      } else if (found.length > 1) {
        renderMatches(found);
      } else {
        showMessage(S.no_match);
      }
    }, function () {
      input.value = "";
      matches.textContent = "";
      scan(value);  /* offline: decided on this device from what it has */
    });
  });
  input.addEventListener("input", showMatches);
  document.getElementById("result-close").addEventListener("click", function () { hide(); input.focus(); });
  result.addEventListener("click", function (event) { if (event.target === result) { hide(); input.focus(); } });

  /* The camera: BarcodeDetector where the browser has it, otherwise jsQR from the project's own files. */
  var video = document.getElementById("camera");
  var cameraButton = document.getElementById("camera-button");
  var stream = null;
  var detector = null;
  var canvas = document.createElement("canvas");
  var lastCode = "";
  var lastAt = 0;
  var lastFrame = 0;

  function loadJsQR() {
    if (window.jsQR || document.getElementById("jsqr-script")) return;
    var script = document.createElement("script");
    script.id = "jsqr-script";
    script.src = C.jsqr_url;
    document.head.appendChild(script);
  }

  function found(code) {
    var now = Date.now();
    if (!code || (code === lastCode && now - lastAt < 3000)) return;
    lastCode = code;
    lastAt = now;
    scan(code);
  }

  function frame(time) {
    if (!stream) return;
    requestAnimationFrame(frame);
    if (time - lastFrame < 150 || video.readyState < 2) return;
    lastFrame = time;
    if (detector) {
      detector.detect(video).then(function (codes) { if (codes.length) found(codes[0].rawValue); }, function () {});
    } else if (window.jsQR) {
      var width = video.videoWidth;
      var height = video.videoHeight;
      if (!width) return;
      canvas.width = width;
      canvas.height = height;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, width, height);
      var decoded = window.jsQR(context.getImageData(0, 0, width, height).data, width, height, { inversionAttempts: "dontInvert" });
      if (decoded) found(decoded.data);
    }
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    cameraButton.textContent = S.camera_start;
  }

  cameraButton.addEventListener("click", function () {
    if (stream) { stopCamera(); return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      show({ result: "unknown_code", name: S.camera_unavailable }, false);
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (media) {
      stream = media;
      video.srcObject = media;
      video.hidden = false;
      video.play();
      cameraButton.textContent = S.camera_stop;
      if ("BarcodeDetector" in window) {
        try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (error) { detector = null; }
      }
      if (!detector) loadJsQR();
      requestAnimationFrame(frame);
    }, function () {
      show({ result: "unknown_code", name: S.camera_unavailable }, false);
    });
  });

  /* Start: the device's id, the roster, the queue, the service worker. */
  window.addEventListener("online", setNetwork);
  window.addEventListener("offline", setNetwork);
  store.device().then(function (id) { device = id; }, function () {});
  loadRoster().then(updatePending).then(function () {
    root.setAttribute("data-ready", "true");
    setNetwork();
  });
  setInterval(sync, 10000);
  setInterval(function () { if (navigator.onLine && !syncing) loadRoster(); }, 60000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(C.worker_url, { scope: C.worker_scope }).catch(function () {});
  }
})();
