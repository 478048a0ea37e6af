/* Online application: send the form with XHR so a progress bar shows how far the files have gone up.
   Without JavaScript (or without FormData/XHR upload events) the form posts normally and works the same. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload-progress]");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var box = form.querySelector(".upload-progress");
  var bar = box && box.querySelector(".progress-bar");
  var meter = box && box.querySelector("[role=progressbar]");
  var status = box && box.querySelector(".upload-status");
  var button = form.querySelector("button[type=submit]");
  var waiting = status ? status.textContent : "";

  function show(percent) {
    var text = percent + "%";
    bar.style.width = text;
    bar.textContent = text;
    meter.setAttribute("aria-valuenow", String(percent));
  }

  form.addEventListener("submit", function (event) {
    if (!box) return;
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) show(Math.min(100, Math.round((e.loaded / e.total) * 100)));
    });
    xhr.upload.addEventListener("load", function () {
      show(100);
      if (status) status.textContent = form.dataset.doneText || status.textContent;
    });
    xhr.addEventListener("load", function () {
      // A valid form answers with a redirect to the preview, which XHR has followed: go there.
      if (xhr.responseURL && xhr.responseURL.split("#")[0] !== (form.action || window.location.href)) {
        window.location.assign(xhr.responseURL);
        return;
      }
      // Otherwise the same form with what to fix: show it as the page (nothing typed or uploaded is lost).
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      box.classList.add("upload-failed");
      if (status) status.classList.add("text-danger");
      if (status) status.textContent = form.dataset.failText || waiting;
      button.disabled = false;
    });
    box.classList.remove("d-none", "upload-failed");
    if (status) status.classList.remove("text-danger");
    if (status) status.textContent = waiting;
    show(0);
    button.disabled = true;
    xhr.send(new FormData(form));
  });
})();
