"""Issue 15: the staff pages moved onto the UI kit — ratings (差评跟进), consultations (在线咨询), the security audit,
the reveal audit (敏感信息查看记录) and the intake list (受理列表) — in a real browser at 1366 and 375 px: nothing
wider than the window, nothing cut off at its right edge, each page's key row and primary action in sight, the
count shown, the empty state in Chinese, and the audit log filtered in place. Screenshots go to
test-output/staffpages/."""

from pathlib import Path

import pytest

from cases.core.services import reveal_party_contact
from cases.models import Status
from cases.portal import services as portal
from tests.e2e.a11y import CONTRAST_JS, LABELS_JS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[2] / "test-output" / "staffpages"

# A citizen may paste a long unbroken string (a link, an account number): it must wrap, not widen the page.
LONG = "工资拖欠已三个月，多次讨要无果，详见 https://example.cn/evidence/2026/labour/wage-arrears-record-0001234567890"

# Elements inside <main> whose right edge lies beyond the window (cut off by an overflow or off-screen).
CUT_OFF_JS = r"""
() => [...document.querySelectorAll("main *")].filter(e => {
  if (!e.checkVisibility({ visibilityProperty: true })) return false;
  const r = e.getBoundingClientRect(); if (!r.width || !r.height) return false;
  return r.right > window.innerWidth + 1 || r.left < -1;
}).map(e => e.outerHTML.slice(0, 80))
"""


@pytest.fixture
def staff_work(world, make_case, clerk, supervisor, citizen):
    """A bad rating to follow up, an unanswered consultation, two reveals, a case waiting at the window."""
    waiting = make_case()
    rated = make_case()
    type(rated).objects.filter(pk=rated.pk).update(status=Status.CLOSED)
    rated.refresh_from_db()
    party = rated.parties.get(name="张三")
    rating = portal.rate_case(rated, citizen=citizen, party=party, score=1, comment=LONG)
    question = portal.ask_question(citizen=citizen, center=world.county, question=LONG)
    for field, reason in [("phone", "电话联系当事人"), ("id_number", "申请司法确认")]:
        reveal_party_contact(party, actor=supervisor, field=field, reason=reason)
    return {"waiting": waiting, "rated": rated, "rating": rating, "question": question}


def _pages(work):
    """(persona, url, key element, primary action) of each page."""
    return [
        ("supervisor", "/portal/staff/ratings/", f"[data-rating='{work['rating'].pk}']",
         f"[data-rating='{work['rating'].pk}'] button[type=submit]"),
        ("clerk", "/portal/staff/consultations/", f"[data-consultation='{work['question'].pk}']",
         f"[data-consultation='{work['question'].pk}'] button[type=submit]"),
        ("supervisor", "/cases/reveals/", "[data-testid=reveals] [data-reveal]", "[data-testid=reveal-filters] button"),
        ("clerk", "/cases/intake/", f"[data-testid=intake-list] tr[data-case='{work['waiting'].pk}']",
         f"tr[data-case='{work['waiting'].pk}'] a[href$='receipt.pdf']"),
        ("admin", "/accounts/audit/", "[data-testid=audit-log] [data-audit-event]", "[data-testid=audit-filters] button"),
    ]


def _context(browser, width):
    return browser.new_context(
        locale="zh-CN", viewport={"width": width, "height": 900 if width > 400 else 812}, is_mobile=width < 400
    )


def _fits(page, width, url):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert inner == width and scroll <= inner, (url, scroll, inner)
    assert page.evaluate(CUT_OFF_JS) == [], url


@pytest.mark.parametrize("width", [1366, 375])
def test_each_staff_page_fits_and_shows_its_rows(browser, live_server, sign_in, staff_work, admin_user, width):
    OUT.mkdir(parents=True, exist_ok=True)
    contexts = {}
    try:
        for persona, url, key, action in _pages(staff_work):
            if persona not in contexts:
                contexts[persona] = _context(browser, width).new_page()
                contexts[persona].set_default_timeout(15000)
                sign_in(contexts[persona], persona)
            page = contexts[persona]
            page.goto(f"{live_server.url}{url}")
            page.locator(key).first.wait_for()
            assert page.locator(key).first.is_visible(), url
            page.locator(action).first.scroll_into_view_if_needed()
            box = page.locator(action).first.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (url, box)
            assert page.locator("[data-testid=list-count]").inner_text().startswith("共 "), url
            _fits(page, width, url)
            if width > 400:  # labels bound, contrast AA (the layout is the same at both sizes)
                assert page.evaluate(LABELS_JS) == [], url
                assert page.evaluate(CONTRAST_JS)["failures"] == [], url
            name = url.strip("/").replace("/", "-")
            page.screenshot(path=str(OUT / f"{name}-{width}.png"), full_page=True)
    finally:
        for page in contexts.values():
            page.context.close()


@pytest.mark.parametrize("width", [1366, 375])
def test_a_bad_rating_is_followed_up_and_leaves_the_list(browser, live_server, sign_in, staff_work, width):
    page = _context(browser, width).new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, "supervisor")
        page.goto(f"{live_server.url}/portal/staff/ratings/")
        row = page.locator(f"[data-rating='{staff_work['rating'].pk}']")
        row.locator("textarea[name=note]").fill("已电话回访，当事人表示理解。")
        row.locator("button[type=submit]").click()
        page.locator(".alert-success").wait_for()
        assert "已记录跟进情况。" in page.locator(".alert-success").inner_text()
        assert page.locator("[data-testid=flagged-rating]").count() == 0
        assert "暂无待跟进的差评。" in page.locator("[data-testid=empty-state]").inner_text()
        assert page.locator("[data-testid=list-count]").inner_text() == "共 0 条差评"
        _fits(page, width, "ratings, followed up")
        page.screenshot(path=str(OUT / f"ratings-empty-{width}.png"), full_page=True)
        page.click("text=全部差评")  # the followed-up rating is in the full list, with who followed it up
        done = page.locator(f"[data-rating='{staff_work['rating'].pk}']")
        assert "已跟进" in done.inner_text() and "已电话回访，当事人表示理解。" in done.inner_text()
        _fits(page, width, "ratings, all")
    finally:
        page.context.close()


def test_the_audit_log_filters_in_place_and_keeps_the_filter_in_the_url(
    browser, live_server, sign_in, staff_work, admin_user
):
    page = _context(browser, 375).new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, "admin")
        page.goto(f"{live_server.url}/accounts/audit/")
        assert page.locator("[data-audit-event]").count() >= 3  # two reveals and the sign-in at least
        page.evaluate("window.__notReloaded = true")
        with page.expect_response(lambda r: "type=e_service" in r.url):
            page.select_option("#audit-type", "e_service")
        page.locator("[data-testid=empty-state]").wait_for()
        assert page.evaluate("window.__notReloaded === true")  # the list changed, the page did not reload
        assert "type=e_service" in page.url
        assert "暂无记录" in page.locator("[data-testid=empty-state]").inner_text()
        page.select_option("#audit-type", "reveal")
        page.wait_for_function("document.querySelectorAll('[data-audit-event]').length === 2")
        assert page.locator("[data-testid=list-count]").inner_text().startswith("共 2 条记录")
        page.reload()
        assert page.locator("#audit-type").input_value() == "reveal"
        assert page.locator("[data-audit-event]").count() == 2
        _fits(page, 375, "audit, filtered")
        page.screenshot(path=str(OUT / "audit-filtered-375.png"), full_page=True)
    finally:
        page.context.close()


def test_ratings_tabs_and_the_reveal_filter_work_in_place(browser, live_server, sign_in, staff_work):
    """Issue 15 item 5: the ratings' tabs and the reveal audit's filter change the list without a reload and keep
    the filter in the URL; a wrong date comes back with its message beside the field, still without a reload."""
    page = _context(browser, 375).new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, "supervisor")
        page.goto(f"{live_server.url}/portal/staff/ratings/")
        page.evaluate("window.__notReloaded = true")
        with page.expect_response(lambda r: "show=all" in r.url):
            page.click("text=全部差评")
        page.wait_for_function("location.search.includes('show=all')")
        page.locator("[data-testid=rating-filters] a[aria-current=page]:has-text('全部差评')").wait_for()
        assert page.evaluate("window.__notReloaded === true")
        assert page.locator(f"[data-rating='{staff_work['rating'].pk}']").is_visible()
        page.goto(f"{live_server.url}/cases/reveals/")
        assert page.locator("[data-reveal]").count() == 2
        page.evaluate("window.__notReloaded = true")
        page.select_option("[data-testid=reveal-filters] select[name=field]", "phone")
        with page.expect_response(lambda r: "field=phone" in r.url):
            page.click("[data-testid=reveal-filters] button")
        page.wait_for_function("document.querySelectorAll('[data-reveal]').length === 1")
        assert page.evaluate("window.__notReloaded === true") and "field=phone" in page.url
        assert "联系电话" in page.locator("[data-testid=reveal-line]").inner_text()
        page.fill("[data-testid=reveal-filters] input[name=until]", "2020-01-01")
        page.fill("[data-testid=reveal-filters] input[name=since]", "2026-12-31")
        with page.expect_response(lambda r: "since=2026-12-31" in r.url and r.status == 400):
            page.click("[data-testid=reveal-filters] button")
        page.locator("[data-testid=filter-errors]").wait_for()
        assert page.evaluate("window.__notReloaded === true")
        assert page.locator(".invalid-feedback").count() >= 1
        assert "{#" not in page.locator("main").inner_text()
        _fits(page, 375, "reveals, wrong dates")
        page.screenshot(path=str(OUT / "reveals-wrong-dates-375.png"), full_page=True)
    finally:
        page.context.close()
