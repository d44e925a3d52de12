// Drag-and-drop reordering of a run-down. The Move up / Move down buttons do the same without
// JavaScript; this only adds dragging. The server answers with the re-flowed table, which replaces the old one.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function bind(container) {
    var rows = Array.prototype.slice.call(container.querySelectorAll("tr[data-move-url]"));
    var dragged = null;
    rows.forEach(function (row) {
      row.addEventListener("dragstart", function (event) {
        dragged = row;
        row.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", row.id);
      });
      row.addEventListener("dragend", function () {
        row.classList.remove("dragging");
        rows.forEach(function (other) { other.classList.remove("drop-target"); });
      });
      row.addEventListener("dragover", function (event) {
        if (dragged && dragged !== row) {
          event.preventDefault();
          row.classList.add("drop-target");
        }
      });
      row.addEventListener("dragleave", function () { row.classList.remove("drop-target"); });
      row.addEventListener("drop", function (event) {
        event.preventDefault();
        if (!dragged || dragged === row) { return; }
        move(container, dragged.getAttribute("data-move-url"), rows.indexOf(row) + 1);
      });
    });
  }

  function move(container, url, position) {
    var body = new FormData();
    body.append("position", String(position));
    body.append("csrfmiddlewaretoken", csrfToken());
    fetch(url, { method: "POST", body: body, headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("[data-rundown]");
        container.replaceWith(fresh);
        bind(fresh);
      })
      .catch(function () { window.location.reload(); });
  }

  document.querySelectorAll("[data-rundown]").forEach(bind);
})();
