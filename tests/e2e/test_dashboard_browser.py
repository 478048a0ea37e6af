"""A supervisor opens the warning board, opens a red case and issues a supervision order."""

import pytest

from cases.models import SupervisionOrder, WarningLevel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_issues_a_supervision_order_from_the_dashboard(
    page, live_server, make_case, supervisor, mediator, sign_in
):
    red = make_case(risk_violence=True, summary="工人扬言堵路讨薪")
    assert red.warning_level == WarningLevel.RED
    sign_in(page, "supervisor")
    page.click("[data-nav='cases:warnings_dashboard']")
    assert page.locator("h1").inner_text() == "预警看板"
    red_row = page.locator("[data-testid=level-by-channel] tr[data-level='4'] td").last
    assert red_row.inner_text() == "1"
    page.click(f"[data-testid=red-orange] >> text={red.number}")
    page.wait_for_url(f"{live_server.url}/cases/{red.pk}/")
    assert "红色" in page.locator("[data-testid=warning-section]").inner_text()
    page.click("[data-tab=warnings]")  # the case page's 预警督办 tab
    page.click("[data-testid=warnings-link]")
    form = page.locator("[data-testid=order-form]")
    form.locator("select[name=recipient]").select_option(label="mediator")
    form.locator("textarea[name=instructions]").fill("今日内约谈双方，防止矛盾激化")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=督办单已签发。")
    orders = page.locator("[data-testid=orders]").inner_text()
    assert "待签收" in orders and "今日内约谈双方" in orders
    order = SupervisionOrder.objects.get(case=red)
    assert order.recipient == mediator and order.issued_by == supervisor
