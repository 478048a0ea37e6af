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
