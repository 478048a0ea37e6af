"""A clerk accepts the suggested route; a mediator claims the case from the channel queue (on a phone)."""

import pytest

from cases.models import Status
from routing.models import CaseAssignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_routes_and_mediator_claims(page, phone_page, live_server, sign_in, make_case, mediator):
    case = make_case()

    sign_in(page, "clerk")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.click("[data-testid=route-link]")
    assert page.locator("[data-testid=suggested-channel]").inner_text() == "专调"
    assert page.locator("[data-testid=suggested-rule]").inner_text() == "劳动争议"
    assert "人社部门协办" in page.locator("[data-testid=suggested-reason]").inner_text()
    page.click("[data-testid=accept-route]")
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
    assert "已按建议分流。" in page.locator(".messages").inner_text()
    assert page.locator("[data-testid=route-channel]").inner_text() == "专调"

    sign_in(phone_page, "mediator")
    phone_page.click("[data-testid=menu-toggle]")  # on a phone the sidebar is an offcanvas menu
    phone_page.click("nav >> text=我的案件")
    phone_page.click("[data-testid=tab-channel]")
    row = phone_page.locator(f"tr[data-case='{case.pk}']")
    assert case.number in row.inner_text()
    row.locator(f"[data-testid=claim-{case.pk}]").click()  # in place: the row answers
    claimed = phone_page.locator(f"[data-testid=claimed-{case.pk}]")
    assert "认领成功。" in claimed.inner_text()
    claimed.locator("a").click()
    phone_page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
    assert "mediator" in phone_page.locator("[data-testid=mediators]").inner_text()
    # nothing on the page is wider than the phone
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375

    case.refresh_from_db()
    assert case.status == Status.IN_MEDIATION
    assert CaseAssignment.objects.get(case=case).mediator == mediator
