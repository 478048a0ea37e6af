// The case page as a workbench (issue 15, item 4): the open tab lives in the address (?tab=), so a reload and
// the back button keep it; a lifecycle action opens its form inside its tab (htmx), and a saved form brings
// the page back with its flash message. Without JavaScript the tab links and the action links are plain pages.
(() => {
  const DESKTOP = window.matchMedia("(min-width: 992px)");

  function tabLink(code) {
    return document.querySelector(`#case-page [data-bs-toggle="tab"][data-tab="${code}"]`);
  }

  function show(code) {
    const link = tabLink(code);
    if (link && window.bootstrap) window.bootstrap.Tab.getOrCreateInstance(link).show();
    return link;
  }

  function current() {
    const params = new URLSearchParams(window.location.search);
    const hash = window.location.hash.replace(/^#(tab-)?/, "");
    return params.get("tab") || (tabLink(hash) ? hash : "") || "overview";
  }

  // On a desktop the timeline is always beside the tabs: its tab is not offered there.
  function settle() {
    if (DESKTOP.matches && current() === "timeline") show("overview");
  }

  document.addEventListener("shown.bs.tab", (event) => {
    const code = event.target.dataset.tab;
    if (!code || !event.target.closest("#case-page")) return;
    const url = new URL(window.location.href);
    if (url.searchParams.get("tab") === code) return;
    url.searchParams.set("tab", code);
    url.hash = "";
    window.history.pushState({ tab: code }, "", url);
  });

  window.addEventListener("popstate", () => show(current()));

  // An action opens its form in its own tab: show the tab first, then htmx loads the form into it.
  document.addEventListener("click", (event) => {
    const trigger = event.target.closest("[data-case-tab]");
    if (trigger) show(trigger.dataset.caseTab);
    const cancel = event.target.closest("[data-form-cancel]");
    if (cancel && cancel.closest("[data-form-slot]")) {
      event.preventDefault();
      const slot = cancel.closest("[data-form-slot]");
      slot.replaceChildren();
      const opener = document.querySelector(`[hx-target="#${slot.id}"]`);
      if (opener) opener.focus();
    }
  });

  document.addEventListener("htmx:afterSettle", () => {
    // A form just opened, or came back with its errors: bring it into view, at the first field to fix.
    const form = document.querySelector("#case-page [data-form-slot] [data-action-form]:not([data-seen])");
    if (form) {
      form.dataset.seen = "1";
      const first = form.querySelector("[aria-invalid='true']") || form.querySelector("input:not([type=hidden]), select, textarea");
      form.scrollIntoView({ block: "start" });
      if (first) first.focus({ preventScroll: true });
    }
    // The page came back after a saved form: its flash message takes the focus, so it is read out.
    const message = document.querySelector("#case-page [data-testid='in-place-messages'] .alert:not([data-seen])");
    if (message) {
      message.dataset.seen = "1";
      message.focus();
    }
  });

  // A form the server refuses (403: no longer this user's to take; 404) is not swapped in by htmx: open the
  // plain page instead, which says why, rather than leave the click without an answer.
  document.addEventListener("htmx:responseError", (event) => {
    const elt = event.detail.elt;
    if (elt && elt.closest && (elt.closest("[data-action-form]") || elt.matches("[data-case-tab]"))) {
      window.location.assign(event.detail.pathInfo.requestPath);
    }
  });

  document.addEventListener("DOMContentLoaded", settle);
  DESKTOP.addEventListener("change", settle);
})();
