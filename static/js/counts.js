// The navigation's count badges after an in-place action (issue 15, item 2): any htmx request that changes
// something (not a GET) and was answered announces "counts-changed" on the body, whether its answer came
// straight back (a queue's row) or after a redirect (the case page in place), and whether it was done or
// refused in place (someone else may have taken the case meanwhile). The sidebar's <nav> listens for it and
// fetches the badges afresh (cases.workbench.views.badges), which replace the ones on screen out of band.
// A response may also announce it itself (HX-Trigger: counts-changed).
(() => {
  document.addEventListener("htmx:afterRequest", (event) => {
    const detail = event.detail;
    const verb = ((detail.requestConfig && detail.requestConfig.verb) || "get").toLowerCase();
    if (verb === "get" || !detail.successful || !window.htmx) return;
    window.htmx.trigger(document.body, "counts-changed");
  });
})();
