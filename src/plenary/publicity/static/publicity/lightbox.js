// An accessible lightbox for a release's photos: a real <dialog>, arrows move, Escape closes,
// and focus goes back to the photo that opened it. Without JavaScript the links open the image.
(function () {
  "use strict";
  var dialog = document.querySelector("[data-lightbox]");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var links = Array.prototype.slice.call(document.querySelectorAll("[data-lightbox-item]"));
  var image = dialog.querySelector("[data-lightbox-image]");
  var caption = dialog.querySelector("[data-lightbox-caption]");
  var count = dialog.querySelector("[data-lightbox-count]");
  var ofText = dialog.querySelector("[data-lightbox-of]").getAttribute("data-lightbox-of");
  var current = 0;
  var opener = null;

  function show(index) {
    current = (index + links.length) % links.length;
    var link = links[current];
    image.src = link.getAttribute("href");
    image.alt = link.getAttribute("data-caption") || link.querySelector("img").alt;
    caption.textContent = link.getAttribute("data-caption") || "";
    count.textContent = ofText.replace("{number}", String(current + 1)).replace("{total}", String(links.length));
  }

  links.forEach(function (link, index) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      opener = link;
      show(index);
      dialog.showModal();
      dialog.querySelector("[data-lightbox-close]").focus();
    });
  });
  dialog.querySelector("[data-lightbox-prev]").addEventListener("click", function () { show(current - 1); });
  dialog.querySelector("[data-lightbox-next]").addEventListener("click", function () { show(current + 1); });
  dialog.querySelector("[data-lightbox-close]").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight") { event.preventDefault(); show(current + 1); }
    if (event.key === "ArrowLeft") { event.preventDefault(); show(current - 1); }
  });
  dialog.addEventListener("close", function () {
    if (opener) opener.focus();
  });
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) dialog.close();
  });
})();
