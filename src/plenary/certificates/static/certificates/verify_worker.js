/* Registers the verify pages' service worker, so that the checker opens later without the network. */
"use strict";
(function () {
  var script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) return;
  navigator.serviceWorker.register(script.getAttribute("data-worker"), {
    scope: script.getAttribute("data-scope")
  }).catch(function () {});
})();
