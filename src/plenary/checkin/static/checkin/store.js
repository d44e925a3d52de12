/* The scanner's offline store (IndexedDB): each session's roster, the scans seen on this device,
   and the queue of scans waiting to sync. */
(function () {
  "use strict";
  var DB_NAME = "plenary-checkin";
  var opening = null;

  function open() {
    if (opening) return opening;
    opening = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("rosters", { keyPath: "session_id" });
        var queue = db.createObjectStore("queue", { keyPath: "client_event_id" });
        queue.createIndex("session_id", "session_id");
        db.createObjectStore("seen", { keyPath: "key" });
        db.createObjectStore("meta", { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return opening;
  }

  function run(storeName, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(storeName, mode);
        var store = tx.objectStore(storeName);
        var result = work(store);
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  window.CheckinStore = {
    saveRoster: function (roster) { return run("rosters", "readwrite", function (s) { s.put(roster); }); },
    roster: function (sessionId) { return run("rosters", "readonly", function (s) { return s.get(sessionId); }); },
    enqueue: function (scan) { return run("queue", "readwrite", function (s) { s.put(scan); }); },
    queued: function (sessionId) {
      return run("queue", "readonly", function (s) { return s.index("session_id").getAll(sessionId); });
    },
    dequeue: function (ids) {
      return run("queue", "readwrite", function (s) { ids.forEach(function (id) { s.delete(id); }); });
    },
    markSeen: function (sessionId, code, at) {
      return run("seen", "readwrite", function (s) { s.put({ key: sessionId + ":" + code, at: at }); });
    },
    seen: function (sessionId, code) {
      return run("seen", "readonly", function (s) { return s.get(sessionId + ":" + code); });
    },
    device: function () {
      return run("meta", "readonly", function (s) { return s.get("device"); }).then(function (row) {
        if (row) return row.value;
        var id = "scanner-" + (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));
        return run("meta", "readwrite", function (s) { s.put({ key: "device", value: id }); }).then(function () { return id; });
      });
    }
  };
})();
