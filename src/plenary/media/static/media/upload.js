// Bulk photo upload: drag and drop, one request per file, progress per file.
// Without JavaScript the form posts the multi-file input as it is.
(function () {
  "use strict";
  var form = document.querySelector("[data-photo-upload]");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var input = form.querySelector("input[type=file]");
  var zone = form.querySelector("[data-drop-zone]");
  var panel = form.querySelector("[data-upload-progress]");
  var status = form.querySelector("[data-upload-status]");
  var list = form.querySelector("[data-upload-files]");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  // Interface text comes translated from the page (data-text-* attributes on the form).
  function t(name) { return form.getAttribute("data-text-" + name) || ""; }
  var text = {
    uploading: t("uploading"),
    done: t("done"),
    refused: t("refused"),
    failed: t("failed"),
    summary: function (ok, bad) { return t("summary").replace("{ok}", String(ok)).replace("{bad}", String(bad)); }
  };

  function row(file) {
    var item = document.createElement("li");
    var label = document.createElement("span");
    label.textContent = file.name + " ";
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    var note = document.createElement("span");
    note.className = "upload-note";
    note.textContent = text.uploading;
    item.appendChild(label);
    item.appendChild(bar);
    item.appendChild(note);
    list.appendChild(item);
    return { bar: bar, note: note, item: item };
  }

  function send(file, view) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("photos", file);
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-CSRFToken", token);
      request.setRequestHeader("X-Requested-With", "fetch");
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) view.bar.value = Math.round((event.loaded / event.total) * 100);
      });
      request.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(request.responseText); } catch (error) { body = {}; }
        var ok = request.status === 201;
        view.bar.value = 100;
        if (ok) {
          view.note.textContent = text.done;
        } else {
          var reason = body.refused && body.refused.length ? body.refused[0].message : (body.detail || text.failed);
          view.note.textContent = text.refused + ": " + reason;
          view.item.className = "upload-refused";
        }
        resolve(ok);
      });
      request.addEventListener("error", function () {
        view.note.textContent = text.failed;
        view.item.className = "upload-refused";
        resolve(false);
      });
      request.send(data);
    });
  }

  function upload(files) {
    if (!files.length) return;
    panel.hidden = false;
    list.textContent = "";
    status.textContent = text.uploading + " (" + files.length + ")";
    var ok = 0, bad = 0;
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file) {
      var view = row(file);
      chain = chain.then(function () {
        return send(file, view).then(function (stored) { if (stored) ok += 1; else bad += 1; });
      });
    });
    chain.then(function () {
      status.textContent = text.summary(ok, bad);
      form.setAttribute("data-upload-done", String(ok));
      if (ok) {
        var reload = document.createElement("a");
        reload.href = window.location.pathname;
        reload.className = "button";
        reload.textContent = t("edit");
        panel.appendChild(reload);
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    upload(input.files);
  });
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("drop-active");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.remove("drop-active");
    });
  });
  zone.addEventListener("drop", function (event) {
    if (event.dataTransfer && event.dataTransfer.files) upload(event.dataTransfer.files);
  });
})();
