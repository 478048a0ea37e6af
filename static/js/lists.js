// Lists (issue 15): the bulk-assign form goes back to the filters now in the URL (htmx may have changed them).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.id === "bulk-assign" && form.elements.query) {
    form.elements.query.value = window.location.search.replace(/^\?/, "");
  }
});

// A claim made in place from the channel queue that the server refuses (403, 404: someone else took the case
// first) is not swapped in by htmx: its row says so instead of leaving the click without an answer.
document.addEventListener("htmx:responseError", (event) => {
  const form = event.detail.elt;
  const row = form && form.closest && form.closest("table[data-refused] tr[data-case], table[data-refused] tr[data-summons], table[data-refused] tr[data-assign-row]");
  if (!row) return;
  const cell = document.createElement("td");
  cell.colSpan = 10;
  const alert = document.createElement("div");
  alert.className = "alert alert-danger py-2 mb-0";
  alert.setAttribute("role", "alert");
  alert.textContent = row.closest("table").dataset.refused;
  cell.append(alert);
  row.replaceChildren(cell);
});

// 单独指派 in the supervisor's queue opens its form in a row below the case's (htmx); a second click goes to the
// form already open instead of opening another, and 取消 closes it, back to the button.
document.addEventListener("htmx:beforeRequest", (event) => {
  const opener = event.detail.elt;
  const pk = opener && opener.dataset && opener.dataset.assignOne;
  const open = pk && document.getElementById(`assign-row-${pk}`);
  if (!open) return;
  event.preventDefault();
  const first = open.querySelector("select, input:not([type=hidden]), textarea");
  if (first) first.focus();
});

// A form row just opened, or came back with its errors: the focus goes to its first field to fill or fix.
document.addEventListener("htmx:afterSettle", () => {
  const opened = document.querySelector("tr[data-assign-row]:not([data-seen])");
  if (!opened) return;
  opened.dataset.seen = "1";
  const first = opened.querySelector("[aria-invalid='true']") || opened.querySelector("select, input:not([type=hidden]), textarea");
  if (first) first.focus();
});

document.addEventListener("click", (event) => {
  const cancel = event.target.closest("[data-row-cancel]");
  if (!cancel) return;
  const row = cancel.closest("tr[data-assign-row]");
  if (!row) return;
  const opener = document.querySelector(`[data-assign-one="${row.dataset.assignRow}"]`);
  row.remove();
  if (opener) opener.focus();
});

// A filter form the server refuses (400: a wrong date, say) answers with the page and its messages beside the
// fields; inside [data-swap-errors] that answer is swapped in like any other instead of being dropped by htmx.
document.addEventListener("htmx:beforeSwap", (event) => {
  const elt = event.detail.elt;
  if (event.detail.xhr.status === 400 && elt && elt.closest && elt.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
