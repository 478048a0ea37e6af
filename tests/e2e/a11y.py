"""Small in-browser accessibility checks for the staff pages (issue 15, item 10): WCAG AA text contrast
computed from the rendered colours, labels bound to their inputs (a radio's or checkbox's label beside its
button), no positive tabindex, and a visible focus on what the Tab key reaches."""

# Every visible text node: its colour against the first opaque background behind it (alpha blended), and the
# WCAG 2.1 contrast ratio, against 4.5:1 (3:1 for large text: 24 px, or 18.66 px bold).
CONTRAST_JS = r"""
() => {
  const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const blend = (top, under) => { const a = top[3]; return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat(1); };
  const lum = (c) => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const background = (el) => { const layers = [];
    for (let e = el; e; e = e.parentElement) { const s = getComputedStyle(e);
      if (s.backgroundImage && s.backgroundImage !== "none" && !s.backgroundImage.startsWith("url(")) return null;  // a gradient: not judged
      const c = parse(s.backgroundColor); if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let bg = [255, 255, 255, 1]; for (let i = layers.length - 1; i >= 0; i--) bg = blend(layers[i], bg); return bg; };
  const failures = []; let checked = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim(); const el = n.parentElement;
    if (!text || !el || el.closest("script,style,template,noscript,option,[aria-hidden=true]")) continue;
    const rect = el.getBoundingClientRect(); if (!rect.width || !rect.height || !el.checkVisibility({ visibilityProperty: true })) continue;
    const s = getComputedStyle(el); if (s.visibility === "hidden" || s.display === "none") continue;
    if (el.closest(".visually-hidden,.visually-hidden-focusable:not(:focus)")) continue;
    if (el.closest(":disabled,.disabled,[aria-disabled=true]")) continue;  // WCAG exempts inactive controls
    const bg = background(el); if (!bg) continue;
    let fg = parse(s.color); if (!fg) continue;
    let opacity = 1; for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
    fg = blend([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
    const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a); const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(s.fontSize); const bold = Number(s.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5; checked++;
    if (ratio < need - 0.005) failures.push({ text: text.slice(0, 40), ratio: Math.round(ratio * 100) / 100, need,
      color: s.color, background: `rgb(${bg.slice(0, 3).map(Math.round).join(",")})`, cls: el.className.toString().slice(0, 60) });
  }
  return { checked, failures };
}
"""

# Every visible form control has a label or an accessible name; a radio's or checkbox's label sits beside its
# button (within 2.5rem, on the same line); no element has a positive tabindex.
LABELS_JS = r"""
() => {
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && e.checkVisibility({ visibilityProperty: true }); };
  const problems = [];
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden" || el.type === "submit" || el.type === "button" || !visible(el)) continue;
    const named = el.labels.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!named) { problems.push(`unlabelled ${el.tagName.toLowerCase()}[name=${el.name}]`); continue; }
    if ((el.type === "radio" || el.type === "checkbox") && el.labels.length) {
      const b = el.getBoundingClientRect(); const l = el.labels[0].getBoundingClientRect();
      const gap = l.left >= b.right ? l.left - b.right : b.left >= l.right ? b.left - l.right : 0;
      const sameLine = l.top < b.bottom + 4 && l.bottom > b.top - 4;
      const inside = el.labels[0].contains(el) || el.labels[0].matches(".visually-hidden");  // read out, not shown
      if (!inside && (gap > 40 || !sameLine)) problems.push(`label of ${el.type}[name=${el.name}] is ${Math.round(gap)}px away`);
    }
  }
  for (const el of document.querySelectorAll("[tabindex]")) if (el.tabIndex > 0) problems.push(`positive tabindex on ${el.outerHTML.slice(0, 60)}`);
  return problems;
}
"""

# The element the Tab key reached: what it is and whether its focus shows (an outline or a box shadow).
FOCUSED_JS = r"""
() => {
  const el = document.activeElement; if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== "none";
  const key = el.dataset.testid || el.dataset.action || el.dataset.tab || el.dataset.nav || el.id || el.name || el.textContent.trim().slice(0, 20);
  return { key, tag: el.tagName.toLowerCase(), visible: outline || shadow, html: el.outerHTML.slice(0, 80) };
}
"""

# The controls a keyboard user must be able to reach that the Tab key did not (run after ``tab_through``, which
# marks what it reached): visible, enabled, in the Tab order. A tab of a tab list is reached with the arrow
# keys, as the ARIA tabs pattern has it (only the open tab is in the Tab order), so tabindex=-1 is left out.
UNREACHED_JS = r"""
() => [...document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")]
  .filter(e => !e.disabled && e.tabIndex >= 0 && e.type !== "hidden" && !e.dataset.a11ySeen)
  .filter(e => !(e.type === "radio" && !e.checked && document.querySelector(`input[type=radio][name="${e.name}"]:checked`)))
  .filter(e => e.checkVisibility({ visibilityProperty: true }) && !(e.closest("details:not([open])") && !e.matches("details > summary")))
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; })
  .map(e => e.outerHTML.slice(0, 100))
"""


def tab_through(page, limit: int = 400) -> list[dict]:
    """Press Tab from the top of the page until the focus comes back round (or ``limit``); what it reached."""
    page.evaluate(
        "document.querySelectorAll('[data-a11y-seen]').forEach(e => delete e.dataset.a11ySeen);"
        "document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);"
        # Start from the top of the page, wherever the focus was: a focus point before everything else.
        "const start = document.createElement('span'); start.tabIndex = -1; start.id = 'a11y-start';"
        "document.body.prepend(start); start.focus();"
    )
    reached: list[dict] = []
    seen: set[str] = set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused is None:
            break
        marker = page.evaluate(
            "() => { const e = document.activeElement; e.dataset.a11ySeen = e.dataset.a11ySeen || String(Math.random()); return e.dataset.a11ySeen; }"
        )
        if reached and marker == reached[-1]["marker"]:
            continue  # the Tab moved inside one control (the parts of a date input)
        if marker in seen:
            break
        seen.add(marker)
        reached.append({**focused, "marker": marker})
    page.evaluate("document.getElementById('a11y-start')?.remove()")
    return reached
