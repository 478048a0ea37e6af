// One minute before the idle timeout (accounts/middleware.py) the page warns; 继续办理 records activity.
(() => {
  const body = document.body;
  const el = document.getElementById("idle-warning");
  if (!el || !body.dataset.keepAlive) return;
  const timeout = Number(body.dataset.idleTimeout) * 1000;
  const slack = Number(body.dataset.idleSlack) * 1000; // the server records activity at most this often
  const warnBefore = Math.min(60000, timeout / 2);
  let deadline = Date.now() + Number(body.dataset.idleLeft) * 1000;
  let warnTimer, endTimer;
  const toast = () => bootstrap.Toast.getOrCreateInstance(el);
  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(() => {
      toast().show();
      el.querySelector("[data-testid=keep-alive]").focus();
    }, Math.max(0, deadline - Date.now() - warnBefore));
    endTimer = setTimeout(() => location.reload(), Math.max(0, deadline - Date.now() + 1000));
  }
  el.querySelector("[data-testid=keep-alive]").addEventListener("click", async () => {
    const token = el.querySelector("[name=csrfmiddlewaretoken]").value;
    const response = await fetch(body.dataset.keepAlive, {
      method: "POST",
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
    });
    if (!response.ok) return location.reload();
    deadline = Date.now() + (await response.json()).expires_in * 1000;
    toast().hide();
    schedule();
  });
  // A partial update counts as activity, but the server may have recorded it up to ``slack`` earlier.
  body.addEventListener("htmx:afterRequest", () => {
    deadline = Math.max(deadline, Date.now() + timeout - slack);
    schedule();
  });
  schedule();
})();
