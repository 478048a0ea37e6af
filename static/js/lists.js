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
  const row = form && form.closest && form.closest("table[data-refused] tr[data-case], table[data-refused] tr[data-summons]");
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
