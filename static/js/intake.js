// Counter intake: add party rows and refresh the "related cases" panel while the clerk types.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) return;
  var total = form.querySelector("input[name='parties-TOTAL_FORMS']");
  var template = document.getElementById("party-template");
  var addButton = document.getElementById("add-party");
  var list = document.getElementById("parties");

  var maxParties = parseInt(form.dataset.maxParties, 10) || 0;
  function atLimit() {
    // Rows marked for deletion do not count, as on the server.
    var rows = list.querySelectorAll("[data-party]").length;
    var deleted = list.querySelectorAll("input[name$='-DELETE']:checked").length;
    return maxParties > 0 && rows - deleted >= maxParties;
  }
  function refreshAddButton() {
    addButton.disabled = atLimit();
  }

  if (addButton && template && total) {
    addButton.hidden = false;
    refreshAddButton();
    list.addEventListener("change", function (event) {
      if (/-DELETE$/.test(event.target.name || "")) refreshAddButton();
    });
    addButton.addEventListener("click", function () {
      if (atLimit()) return;
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__no__/g, String(index + 1));
      list.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      refreshAddButton();
      var inputs = list.lastElementChild.querySelectorAll("input[type=text], select");
      if (inputs.length) inputs[0].focus();
    });
  }

  var timer = null;
  function lookup() {
    var data = new FormData(form);
    data.delete("evidence");
    fetch(form.dataset.lookupUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var panel = document.getElementById("related-cases");
        if (panel) panel.outerHTML = html;
      })
      .catch(function () { /* the 查重 button still works without this */ });
  }
  form.addEventListener("change", function (event) {
    var name = event.target.name || "";
    if (/-(id_number|phone|name|role)$/.test(name) || name === "dispute_type") {
      clearTimeout(timer);
      timer = setTimeout(lookup, 300);
    }
  });
})();

// Issue 15 item 7: fields follow the party's kind, Enter moves to the next field, and a draft is kept in
// this browser (per signed-in user) as the clerk types, offered back after an idle sign-out or a crash.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) return;

  // --- Fields by the party's kind: ID fields for persons, credit code and legal representative for
  // organisations. Hidden groups are disabled too, so what the clerk cannot see is not sent.
  function applyKind(party) {
    var kind = party.querySelector("select[name$='-kind']");
    if (!kind) return;
    var person = kind.value === "person";
    party.querySelectorAll("[data-kind-group]").forEach(function (group) {
      var show = (group.dataset.kindGroup === "person") === person;
      group.hidden = !show;
      group.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !show; });
    });
  }
  function applyAll() { form.querySelectorAll("[data-party]").forEach(applyKind); }
  form.addEventListener("change", function (event) {
    if (/-kind$/.test(event.target.name || "")) applyKind(event.target.closest("[data-party]"));
  });
  new MutationObserver(applyAll).observe(document.getElementById("parties"), { childList: true });
  applyAll();

  // --- Enter moves to the next field instead of submitting (buttons and text areas keep their Enter).
  form.addEventListener("keydown", function (event) {
    var el = event.target;
    if (event.key !== "Enter" || event.isComposing || event.shiftKey || event.ctrlKey) return;
    if (el.tagName === "TEXTAREA" || el.tagName === "BUTTON" || el.type === "submit" || el.type === "file") return;
    event.preventDefault();
    var fields = Array.prototype.filter.call(
      form.querySelectorAll("input, select, textarea, button"),
      function (f) { return !f.disabled && f.type !== "hidden" && f.offsetParent !== null; }
    );
    var next = fields[fields.indexOf(el) + 1];
    if (next) next.focus();
  });

  // --- The draft. Kept for 12 hours at most; removed when the clerk saves the case or discards it.
  var key = form.dataset.draftKey;
  var store = window.localStorage;
  if (!key || !store) return;
  var MAX_AGE = 12 * 3600 * 1000;
  var skip = /^(csrfmiddlewaretoken|check|save)$/;
  function snapshot() {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || skip.test(el.name) || el.type === "file" || el.type === "button" || el.type === "submit") return;
      if (el.type === "checkbox" || el.type === "radio") fields.push([el.name, el.value, el.checked]);
      else fields.push([el.name, el.value]);
    });
    return { savedAt: Date.now(), fields: fields };
  }
  var timer = null;
  function save() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      try { store.setItem(key, JSON.stringify(snapshot())); } catch (e) { /* storage full or off */ }
    }, 400);
  }
  function load() {
    try {
      var draft = JSON.parse(store.getItem(key) || "null");
      if (draft && Date.now() - draft.savedAt < MAX_AGE) return draft;
    } catch (e) { /* a broken draft is dropped */ }
    store.removeItem(key);
    return null;
  }
  function restore(draft) {
    var total = form.querySelector("input[name='parties-TOTAL_FORMS']");
    var wanted = draft.fields.filter(function (f) { return f[0] === "parties-TOTAL_FORMS"; })[0];
    var add = document.getElementById("add-party");
    while (wanted && add && !add.disabled && parseInt(total.value, 10) < parseInt(wanted[1], 10)) add.click();
    draft.fields.forEach(function (f) {
      if (f[0] === "parties-TOTAL_FORMS" || f[0] === "parties-INITIAL_FORMS") return;
      form.querySelectorAll("[name='" + f[0].replace(/'/g, "") + "']").forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") { if (el.value === f[1]) el.checked = f[2]; }
        else el.value = f[1];
      });
    });
    applyAll();
  }
  var offer = document.getElementById("draft-offer");
  var draft = load();
  // Offered only on a fresh form: a form the server sent back (查重, errors) already holds what was typed.
  if (draft && offer && !form.dataset.bound) {
    offer.hidden = false;
    offer.querySelector("[data-draft-time]").textContent = new Date(draft.savedAt).toLocaleString();
    offer.querySelector("[data-draft-restore]").addEventListener("click", function () {
      restore(draft);
      offer.hidden = true;
    });
    offer.querySelector("[data-draft-discard]").addEventListener("click", function () {
      store.removeItem(key);
      offer.hidden = true;
    });
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.name === "save") store.removeItem(key);
  });
})();
