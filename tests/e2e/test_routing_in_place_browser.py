"""Issue 15 in a real browser, at 1366 and 375 px: routing's actions work in place (分流 on the case page, 认领
from the channel queue's row, an error inside the 层级移交 form, 报到 from the liaison's row and on the summons
page) without a page load; and the restyled pages (counter form, warnings case page, messages, home) have no
horizontal scroll on a phone. Screenshots under test-output/ui/."""

from pathlib import Path

import pytest

from cases.models import Status
from routing import services
from routing.models import CaseAssignment, Summons

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[2] / "test-output" / "ui"


def _page(browser, width):
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": width, "height": 900 if width > 400 else 812},
        is_mobile=width < 400,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _stays(page):
    page.evaluate("window.__stayed = true")


def _stayed(page) -> bool:
    return page.evaluate("window.__stayed === true")


@pytest.mark.parametrize("width", [1366, 375])
def test_routing_actions_in_place(browser, live_server, sign_in, make_case, clerk, mediator, liaison, width):
    OUT.mkdir(parents=True, exist_ok=True)
    case = make_case()
    context, page = _page(browser, width)

    # The clerk routes from the case page: the suggestion opens in the routing section, accepted in place.
    sign_in(page, "clerk")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    _stays(page)
    page.click("[data-testid=route-link]")
    form = page.locator("#form-routing [data-testid=route-form]")
    form.wait_for()
    assert form.locator("[data-testid=suggested-channel]").inner_text() == "专调"
    _fits(page, width)
    form.scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / f"route-in-place-{width}.png"))
    form.locator("[data-testid=accept-route]").click()
    page.locator("[data-testid=in-place-messages]").wait_for()
    assert "已按建议分流。" in page.locator("[data-testid=in-place-messages]").inner_text()
    assert page.locator("[data-testid=route-channel]").inner_text() == "专调"
    assert _stayed(page)
    case.refresh_from_db()
    assert case.status == Status.ROUTED

    # The mediator claims from the channel queue's row; the list stays.
    context.close()
    context, page = _page(browser, width)
    sign_in(page, "mediator")
    page.goto(f"{live_server.url}/routing/queue/?tab=channel")
    _stays(page)
    claim = page.locator(f"[data-testid=claim-{case.pk}]")
    box = claim.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    claim.click()
    claimed = page.locator(f"[data-testid=claimed-{case.pk}]")
    claimed.wait_for()
    assert "认领成功。" in claimed.inner_text() and _stayed(page)
    _fits(page, width)
    page.screenshot(path=str(OUT / f"queue-claimed-{width}.png"), full_page=True)
    assert CaseAssignment.objects.get(case=case, ended_at__isnull=True).mediator == mediator

    # 层级移交 in place: an error comes back inside the form, with the focus on the field to fix.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    _stays(page)
    page.click("[data-testid=transfer-link]")
    transfer = page.locator("#form-routing [data-testid=routing-form]")
    transfer.wait_for()
    transfer.locator("select[name=to_center]").select_option(index=1)
    transfer.locator("[data-testid=routing-submit]").click()
    page.locator("#form-routing .invalid-feedback").wait_for()
    page.wait_for_function(
        "document.activeElement && document.activeElement.getAttribute('aria-invalid') === 'true'"
    )
    assert _stayed(page) and page.evaluate("document.activeElement.name") == "reason"
    _fits(page, width)
    page.screenshot(path=str(OUT / f"transfer-error-{width}.png"))
    transfer = page.locator("#form-routing [data-testid=routing-form]")
    transfer.locator("a[data-form-cancel]").click()  # 取消 closes the form, nothing saved
    assert page.locator("#form-routing [data-testid=routing-form]").count() == 0

    # The liaison reports from the queue's row, then records what the department did on the summons page.
    summons = Summons.objects.get(case=case)
    context.close()
    context, page = _page(browser, width)
    sign_in(page, "liaison")
    page.goto(f"{live_server.url}/routing/summonses/")
    _stays(page)
    page.click(f"[data-testid=accept-{summons.pk}]")
    page.locator(f"tr[data-summons='{summons.pk}'] [role=status]").wait_for()
    assert "已报到" in page.locator(f"[data-testid=summons-state-{summons.pk}]").inner_text() and _stayed(
        page
    )
    _fits(page, width)
    page.screenshot(path=str(OUT / f"liaison-queue-{width}.png"), full_page=True)
    page.click(f"tr[data-summons='{summons.pk}'] a >> text={case.number}")
    page.wait_for_url(f"{live_server.url}/routing/summonses/{summons.pk}/")
    _stays(page)
    page.fill("#id_action", "已派员到场核实工资表")
    page.click("[data-testid=record-action]")
    page.locator("[data-testid=in-place-messages]").wait_for()
    assert "已记录办理情况。" in page.locator("[data-testid=in-place-messages]").inner_text() and _stayed(
        page
    )
    assert "已派员到场核实工资表" in page.locator("[data-testid=action-taken]").inner_text()
    _fits(page, width)
    page.screenshot(path=str(OUT / f"summons-{width}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("width", [1366, 375])
def test_restyled_pages_fit_and_use_the_kit(
    browser, live_server, sign_in, make_case, clerk, supervisor, mediator, width
):
    OUT.mkdir(parents=True, exist_ok=True)
    red = make_case(risk_violence=True, summary="工人扬言堵路讨薪")
    services.route_case(red, actor=clerk)
    context, page = _page(browser, width)

    sign_in(page, "clerk")
    _fits(page, width)
    page.screenshot(path=str(OUT / f"home-clerk-{width}.png"), full_page=True)
    page.goto(f"{live_server.url}/cases/intake/new/")
    # every input of the counter form is the kit's (no bare, hand-styled input left)
    bare = page.evaluate(
        """[...document.querySelectorAll('#intake-form input:not([type=hidden]), #intake-form select, #intake-form textarea')]
           .filter(el => !/form-(control|select|check-input)/.test(el.className)).map(el => el.name)"""
    )
    assert bare == []
    page.click("button[name=save]")  # nothing filled: errors by their fields, in the kit's look
    page.locator(".invalid-feedback").first.wait_for()
    assert page.locator("#id_summary.is-invalid").count() == 1
    _fits(page, width)
    page.screenshot(path=str(OUT / f"counter-errors-{width}.png"), full_page=True)

    context.close()
    context, page = _page(browser, width)
    sign_in(page, "supervisor")
    _fits(page, width)
    page.screenshot(path=str(OUT / f"home-supervisor-{width}.png"), full_page=True)
    page.goto(f"{live_server.url}/cases/{red.pk}/warnings/")
    form = page.locator("[data-testid=order-form]")
    form.locator("select[name=recipient]").select_option(label="mediator")
    form.locator("textarea[name=instructions]").fill("今日内约谈双方，防止矛盾激化")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=督办单已签发。")
    assert "待签收" in page.locator("[data-testid=orders]").inner_text()
    _fits(page, width)
    page.screenshot(path=str(OUT / f"warnings-case-{width}.png"), full_page=True)
    page.goto(f"{live_server.url}/routing/cases/{red.pk}/grant/")
    page.fill("#id_username", "mediator")
    page.fill("#id_reason", "协助核实")
    page.click("button.btn-primary[type=submit]")
    page.locator(".messages").wait_for()
    page.goto(f"{live_server.url}/routing/cases/{red.pk}/grant/")
    assert page.locator(".grants li").count() == 1
    _fits(page, width)
    page.screenshot(path=str(OUT / f"grants-{width}.png"), full_page=True)

    context.close()
    context, page = _page(browser, width)
    sign_in(page, "mediator")
    page.click("[data-testid=bell]")
    page.wait_for_url(f"{live_server.url}/cases/warnings/notifications/")
    assert page.locator("[data-testid=notifications] [data-unread='1']").count() >= 1
    _fits(page, width)
    page.screenshot(path=str(OUT / f"notifications-{width}.png"), full_page=True)
    context.close()
