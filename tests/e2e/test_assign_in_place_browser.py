"""Issue 15 in a real browser, at 1366 and 375 px: a supervisor assigns in place — 单独指派 in a row under the
case's own, then 批量指派 with a case someone claimed meanwhile refused in its row — without a page load,
and the sidebar's 待指派案件 badge follows each action without a reload; 授予个案权限 inline on the case page.
Screenshots under test-output/assign/."""

from pathlib import Path

import pytest

from accounts.models import Membership
from routing import services
from routing.models import CaseAssignment
from tests.conftest import _persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[2] / "test-output" / "assign"


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _badge(page) -> str:
    return page.locator("[data-badge=unassigned]").text_content().strip()


def _badge_becomes(page, value: str):
    page.wait_for_function(
        f"document.querySelector('[data-badge=unassigned]')?.textContent.trim() === '{value}'"
    )


@pytest.mark.parametrize("width", [1366, 375])
def test_supervisor_assigns_in_place_and_the_badge_follows(
    browser, live_server, sign_in, world, make_case, clerk, supervisor, mediator, width
):
    OUT.mkdir(parents=True, exist_ok=True)
    other = _persona(world, "mediator2", Membership.Role.MEDIATOR, channel=world.channels["specialist"])
    one, two, three, taken = (services.route_case(make_case(), actor=clerk) for _ in range(4))
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": width, "height": 900 if width > 400 else 812},
        is_mobile=width < 400,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, "supervisor")
    page.goto(f"{live_server.url}/routing/queue/unassigned/")
    assert _badge(page) == "4"
    page.evaluate("window.__stayed = true")

    # 单独指派: the form opens in a row under the case's own, and answers there
    page.click(f"[data-testid=assign-one-{one.pk}]")
    row = page.locator(f"[data-testid=assign-row-{one.pk}]")
    row.wait_for()
    row.locator(f"#assign-{one.pk}-mediator").select_option(label=str(mediator))
    row.locator(f"#assign-{one.pk}-reason").fill("熟悉劳动争议")
    _fits(page, width)
    row.scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / f"assign-row-{width}.png"))
    row.locator(f"[data-testid=assign-submit-{one.pk}]").click()
    assigned = page.locator(f"[data-testid=assigned-{one.pk}]")
    assigned.wait_for()
    assert f"已指派给{mediator}。" in assigned.inner_text()
    assert page.locator(f"#queue-row-{one.pk}").count() == 0  # the case left the list
    _badge_becomes(page, "3")
    assert page.evaluate("window.__stayed === true")
    CaseAssignment.objects.get(case=one, ended_at__isnull=True, mediator=mediator)

    # 批量指派, one of the ticked cases claimed by someone else after the list was shown
    for case in (two, three, taken):
        page.check(f"[data-testid=pick-{case.pk}]")
    services.claim_case(taken, actor=other)
    page.select_option("#id_mediator", label=str(mediator))
    page.fill("#id_reason", "均衡工作量")
    page.click("[data-testid=bulk-assign-submit]")
    summary = page.locator("[data-testid=bulk-summary]")
    summary.wait_for()
    assert "已指派 2 件，1 件未指派。" in summary.inner_text()
    refused = page.locator(f"[data-testid=bulk-outcome-{taken.pk}]")
    assert "未指派，本案已由mediator2主办" in refused.inner_text()
    for case in (two, three):
        assert (
            f"{case.number}：已指派给{mediator}。"
            in page.locator(f"[data-testid=bulk-outcome-{case.pk}]").inner_text()
        )
    _badge_becomes(page, "0")
    assert page.evaluate("window.__stayed === true")
    _fits(page, width)
    page.screenshot(path=str(OUT / f"bulk-assigned-{width}.png"), full_page=True)
    if width < 400:  # the badge lives in the menu on a phone
        page.click("[data-testid=menu-toggle]")
        page.wait_for_selector("#sidebar.show [data-badge=unassigned]")
        page.wait_for_timeout(500)  # the menu's slide-in
        page.screenshot(path=str(OUT / f"menu-badge-{width}.png"))
        page.keyboard.press("Escape")
    assert CaseAssignment.objects.get(case=taken, ended_at__isnull=True).mediator == other

    # 授予个案权限 inline on the case page: a refusal in the small form, then done in place
    page.goto(f"{live_server.url}/cases/{one.pk}/")
    page.evaluate("window.__stayed = true")
    grant = page.locator("[data-testid=grant-inline]")
    grant.locator("#grant-username").fill("nobody")
    grant.locator("#grant-reason").fill("外聘专家参与")
    grant.locator("[data-testid=grant-submit]").click()
    page.wait_for_selector("[data-testid=grant-inline] >> text=找不到该工作人员。")
    grant = page.locator("[data-testid=grant-inline]")
    grant.locator("#grant-username").fill("clerk")
    grant.scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / f"grant-error-{width}.png"))
    grant.locator("[data-testid=grant-submit]").click()
    page.wait_for_selector("[data-testid=in-place-messages] >> text=已授予clerk个案权限。")
    assert page.evaluate("window.__stayed === true")
    _fits(page, width)
    page.screenshot(path=str(OUT / f"granted-{width}.png"))
    assert one.events.filter(type="access_granted").count() == 1
    context.close()
