/* The phone form of grassroots (随手录): keeps what was typed in localStorage, and when the network is down
   at submit time keeps the submission and sends it when the browser is back online. Each submission carries
   its own client_token, so a resend after a lost answer is stored once (grassroots.services). */
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form) return;
  var key = form.dataset.offlineKey;
  var status = document.getElementById("offline-status");
  var tokenInput = form.querySelector("input[name=client_token]");
  var photos = form.querySelector("input[name=photos]");
  var pendingPhotos = null; // the files of a submission held back while offline (this page only)

  function newToken() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }
  function show(text) {
    status.textContent = text;
    status.classList.toggle("d-none", !text);
  }
  function fields() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken") return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      data[el.name] = el.value;
    });
    return data;
  }
  function save(pending) {
    var stored = { fields: fields(), pending: !!pending };
    localStorage.setItem(key, JSON.stringify(stored));
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function restore(stored) {
    Object.keys(stored.fields).forEach(function (name) {
      var els = form.querySelectorAll("[name='" + name + "']");
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "radio") el.checked = el.value === stored.fields[name];
        else if (el.type !== "file" && el.name !== "csrfmiddlewaretoken") el.value = stored.fields[name];
      });
    });
  }
  function toggleFields() {
    var what = (form.querySelector("input[name=what]:checked") || {}).value;
    var only = {
      agreement: ["quick_record"], to_center: ["report"], level: ["risk"],
      dispute_type: ["quick_record", "report"],
      party1_name: ["quick_record", "report"], party1_phone: ["quick_record", "report"], party1_id: ["quick_record", "report"],
      party2_name: ["quick_record", "report"], party2_phone: ["quick_record", "report"], party2_id: ["quick_record", "report"]
    };
    Object.keys(only).forEach(function (name) {
      var box = form.querySelector("[data-field='" + name + "']");
      if (box) box.classList.toggle("d-none", only[name].indexOf(what) < 0);
    });
  }
  function send() {
    var body = new FormData(form);
    if (pendingPhotos) {
      body.delete("photos");
      pendingPhotos.forEach(function (f) { body.append("photos", f); });
    }
    show(form.dataset.sending);
    return fetch(form.action || window.location.href, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (html) {
          if (response.redirected || response.ok) {
            localStorage.removeItem(key);
            if (response.redirected) { window.location.assign(response.url); return; }
          }
          document.open(); document.write(html); document.close(); // the form again, with its errors
        });
      })
      .catch(function () {
        save(true);
        show(form.dataset.offlineText);
      });
  }

  var stored = load();
  if (stored) restore(stored);
  if (!tokenInput.value) tokenInput.value = newToken();
  toggleFields();
  form.addEventListener("input", function () { save(load() && load().pending); });
  form.addEventListener("change", function () { toggleFields(); save(load() && load().pending); });
  form.addEventListener("submit", function (event) {
    if (navigator.onLine) { localStorage.removeItem(key); return; }
    event.preventDefault();
    pendingPhotos = photos && photos.files ? Array.prototype.slice.call(photos.files) : null;
    save(true);
    show(form.dataset.offlineText);
  });
  window.addEventListener("online", function () {
    var current = load();
    if (current && current.pending) send();
  });
  if (stored && stored.pending) {
    if (navigator.onLine) send();
    else show(form.dataset.offlineText);
  }
})();
