/* Checks a certificate's signed QR statement in the browser (WebCrypto Ed25519), without the network
   once the page has loaded: the public keys and the withdrawn serials are fetched while online and kept in
   localStorage. Statements (see certificates/signing.py):
   version 2, decimal digits of one big-endian number: 2, key id (6 bytes), issued (days since 2000-01-01,
   2 bytes), serial, name_en, name_zh, programme, hours (each a length byte and UTF-8), signature (64 bytes);
   version 1: base64url(JSON [1, serial, name_en, name_zh, programme, hours, issued, key_id]) "."
   base64url(signature). */
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

  function base64url(data) {
    var binary = "";
    for (var i = 0; i < data.length; i++) binary += String.fromCharCode(data[i]);
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromDigits(digits) {
    // The statement's bytes from its decimal digits (the first byte, the version, is never zero).
    var number = BigInt(digits);
    var out = [];
    while (number > 0n) {
      out.unshift(Number(number & 255n));
      number >>= 8n;
    }
    return new Uint8Array(out);
  }

  function readVersion2(digits) {
    if (digits.length > 2000) throw new Error("long");
    var data = fromDigits(digits);
    var payload = data.slice(0, data.length - 64);
    var signature = data.slice(data.length - 64);
    if (payload.length < 9 || payload[0] !== 2) throw new Error("version");
    var decoder = new TextDecoder("utf-8", { fatal: true });
    var texts = [];
    var at = 9;
    for (var field = 0; field < 5; field++) {
      if (at >= payload.length || at + 1 + payload[at] > payload.length) throw new Error("short");
      texts.push(decoder.decode(payload.slice(at + 1, at + 1 + payload[at])));
      at += 1 + payload[at];
    }
    if (at !== payload.length) throw new Error("long");
    var issued = new Date(Date.UTC(2000, 0, 1) + (payload[7] * 256 + payload[8]) * 86400000);
    return {
      payload: payload,
      signature: signature,
      values: [2, texts[0], texts[1], texts[2], texts[3], texts[4], issued.toISOString().slice(0, 10),
        base64url(payload.slice(1, 7))]
    };
  }

  function readVersion1(token) {
    var parts = token.split(".");
    if (parts.length !== 2) throw new Error("parts");
    var payload = bytes(parts[0]);
    var values = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
    if (!Array.isArray(values) || values.length !== 8 || values[0] !== 1) throw new Error("version");
    return { payload: payload, signature: bytes(parts[1]), values: values };
  }

  function check(text) {
    var token = text.trim();
    if (token.indexOf("#") >= 0) token = token.slice(token.lastIndexOf("#") + 1);
    var payload, signature, values;
    try {
      var read = /^[0-9]+$/.test(token) ? readVersion2(token) : readVersion1(token);
      payload = read.payload;
      signature = read.signature;
      values = read.values;
    } catch (error) {
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
