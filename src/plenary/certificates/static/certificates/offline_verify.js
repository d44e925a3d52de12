/* Checks a certificate's signed QR statement in the browser (WebCrypto Ed25519), without the network
   once the page has loaded: the public keys and the withdrawn serials are fetched while online and kept in
   localStorage. Statement: base64url(JSON [1, serial, name_en, name_zh, programme, hours, issued, key_id])
   "." base64url(signature). See certificates/signing.py. */
"use strict";
(function () {
  var strings = JSON.parse(document.getElementById("verify-strings").textContent);
  var config = JSON.parse(document.getElementById("verify-config").textContent);
  var KEYS = "plenary-certificate-keys";
  var REVOKED = "plenary-certificate-revocations";
  var form = document.getElementById("offline-form");
  var input = document.getElementById("offline-statement");
  var result = document.getElementById("offline-result");
  var facts = document.getElementById("offline-facts");
  var syncLine = document.getElementById("offline-sync");

  function stored(name) {
    try { return JSON.parse(window.localStorage.getItem(name)); } catch (error) { return null; }
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString() : "";
  }

  function showSync() {
    var revoked = stored(REVOKED);
    syncLine.textContent = revoked && revoked.as_of
      ? strings.synced.replace("%(date)s", when(revoked.as_of)) : strings.never;
  }

  function sync() {
    return Promise.all([
      fetch(config.keys, { cache: "no-store" }),
      fetch(config.revoked, { cache: "no-store" })
    ]).then(function (responses) {
      if (!responses[0].ok || !responses[1].ok) return null;
      return Promise.all([responses[0].json(), responses[1].json()]).then(function (documents) {
        window.localStorage.setItem(KEYS, JSON.stringify(documents[0]));
        window.localStorage.setItem(REVOKED, JSON.stringify(documents[1]));
      });
    }).catch(function () { return null; }).then(showSync);
  }

  function bytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = window.atob(base64);
    var out = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }

  function check(text) {
    var token = text.trim();
    if (token.indexOf("#") >= 0) token = token.slice(token.lastIndexOf("#") + 1);
    var parts = token.split(".");
    var payload, signature, values;
    try {
      if (parts.length !== 2) throw new Error("parts");
      payload = bytes(parts[0]);
      signature = bytes(parts[1]);
      values = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
    } catch (error) {
      return Promise.resolve({ state: "malformed" });
    }
    if (!Array.isArray(values) || values.length !== 8 || values[0] !== 1) {
      return Promise.resolve({ state: "malformed" });
    }
    var keys = stored(KEYS);
    if (!keys || !keys.keys) return Promise.resolve({ state: "nokeys" });
    var entry = keys.keys.filter(function (key) { return key.key_id === values[7]; })[0];
    if (!entry) return Promise.resolve({ state: "forged" });
    if (!window.crypto || !window.crypto.subtle) return Promise.resolve({ state: "unsupported" });
    return window.crypto.subtle.importKey("raw", bytes(entry.public_key), { name: "Ed25519" }, false, ["verify"])
      .then(function (key) {
        return window.crypto.subtle.verify({ name: "Ed25519" }, key, signature, payload).catch(function () {
          return false;
        }).then(function (good) {
          if (!good) return { state: "forged" };
          var revoked = stored(REVOKED);
          var hit = revoked && revoked.certificates.filter(function (item) { return item.serial === values[1]; })[0];
          return { state: hit ? hit.state : "valid", values: values, asOf: revoked && revoked.as_of };
        });
      }, function () { return { state: "unsupported" }; });
  }

  function show(outcome) {
    var message = strings[outcome.state] || strings.malformed;
    result.textContent = message.replace("%(date)s", when(outcome.asOf));
    result.className = "message " + (outcome.state === "valid" ? "message-success"
      : outcome.state === "superseded" ? "message-warning" : "message-error");
    result.setAttribute("data-state", outcome.state);
    facts.textContent = "";
    facts.hidden = !outcome.values;
    if (!outcome.values) return;
    var v = outcome.values;
    [["serial", v[1]], ["name", [v[2], v[3]].filter(Boolean).join(" ")], ["programme", v[4]],
     ["hours", v[5]], ["issued", v[6]], ["key", v[7]]].forEach(function (pair) {
      var term = document.createElement("dt");
      term.textContent = strings[pair[0]];
      var value = document.createElement("dd");
      value.textContent = pair[1];
      facts.appendChild(term);
      facts.appendChild(value);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    check(input.value).then(show);
  });

  function checkAddress() {
    // Opened from a certificate's QR code (or another code scanned into the same page): its fragment.
    if (window.location.hash.length > 1) {
      input.value = window.location.href;
      check(input.value).then(show);
    }
  }

  showSync();
  sync().then(checkAddress);
  window.addEventListener("hashchange", checkAddress);
})();
