/* The certificate checker's service worker (scope: the verify pages of one language). It keeps the offline
   checker and its assets, and when a verify page cannot be fetched (no network) it answers with the offline
   checker, which then checks the certificate's signed statement in the address's fragment. */
"use strict";
var VERSION = "__VERSION__";
var PAGE = "__PAGE__";
var ASSETS = __ASSETS__;
var CACHE = "plenary-verify-" + VERSION;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll([PAGE].concat(ASSETS));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("plenary-verify-") === 0 && key !== CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(request, { ignoreSearch: true }).then(function (hit) {
      return hit || fetch(request);
    }));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return caches.match(PAGE).then(function (hit) {
        return hit || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
      });
    }));
  }
});
