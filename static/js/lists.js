// Lists (issue 15): the bulk-assign form goes back to the filters now in the URL (htmx may have changed them).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.id === "bulk-assign" && form.elements.query) {
    form.elements.query.value = window.location.search.replace(/^\?/, "");
  }
});
