"""A mediator records a session, produces an agreement (the PDF opens), a supervisor evaluates,
the mediator closes, and a follow-up visit is recorded — in a real browser. Each form opens in place in the
case page's tab (htmx) and, saved, the page comes back with its flash message without leaving the case."""

import io

import pytest
from pypdf import PdfReader

from cases.models import Case, Status
from tests.cases.lifecycle_helpers import route

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open(page, action: str) -> None:
    """Open an action's form in place and wait until it is there."""
    page.click(f"[data-action={action}]")
    page.locator("[data-testid=action-form]").wait_for()


def _save(page, case_url):
    """Submit the form opened in place; the case page replaces itself (no navigation), at the form's tab."""
    page.evaluate("window.__samePage = true; document.getElementById('case-page').dataset.old = '1'")
    page.click("[data-testid=action-form] [data-testid=action-save]")
    page.wait_for_function("!document.getElementById('case-page').dataset.old")
    assert page.evaluate("window.__samePage") is True  # htmx swapped it in: the page was not reloaded
    assert page.url.startswith(f"{case_url}?tab=")


def test_mediation_from_session_to_follow_up_visit(
    page, live_server, sign_in, make_case, world, mediator, supervisor
):
    case = route(make_case(), world.channels["specialist"])
    case_url = f"{live_server.url}/cases/{case.pk}/"

    sign_in(page, "mediator")
    page.goto(case_url)
    _open(page, "record_session")
    page.fill("#id_started_at", "2026-03-02T09:30")
    page.select_option("#id_mode", "in_person")
    page.fill("#id_place", "中心一楼调解室")
    for box in page.locator("input[name=parties]").all():
        box.check()
    page.fill("#id_discussion", "申请人陈述被拖欠三个月工资，被申请人承认欠薪。")
    page.fill("#id_result", "同意分两期支付。")
    _save(page, case_url)
    assert "调解记录已保存。" in page.locator("[data-testid=in-place-messages]").inner_text()
    assert page.url == f"{case_url}?tab=sessions"
    assert page.locator("[data-testid=case-status]").inner_text() == "调解中"
    assert "申请人陈述被拖欠三个月工资" in page.locator("#sessions").inner_text()

    _open(page, "edit_agreement")
    page.fill("#id_facts", "被申请人李四拖欠申请人张三工资人民币三万元。")
    page.fill("#id_issues", "欠薪数额及支付期限。")
    page.fill("#id_responsibilities", "被申请人应承担支付责任。")
    page.fill("#id_terms-0-content", "李四于2026年12月31日前向张三支付工资人民币三万元")
    page.fill("#id_terms-0-performance", "银行转账")
    page.fill("#id_terms-0-due_on", "2026-12-31")
    _save(page, case_url)
    assert page.locator("[data-testid=agreement-state]").inner_text() == "待签名盖章"

    _open(page, "sign_agreement")
    for box in page.locator("input[name=parties]").all():
        box.check()
    page.check("#id_mediator")
    page.check("#id_seal")
    _save(page, case_url)
    assert page.locator("[data-testid=agreement-state]").inner_text().startswith("已生效")
    from django.utils import timezone

    from cases.core.workcalendar import WorkCalendar

    today = timezone.localdate()
    days_left = (
        WorkCalendar().add_calendar_days(today, 30) - today
    ).days  # art. 85: 30, or more past a holiday
    assert f"剩 {days_left} 天" in page.locator("[data-testid=confirmation-window]").inner_text()

    pdf_url = page.locator("[data-testid=agreement-pdf]").get_attribute("href")
    response = page.context.request.get(f"{live_server.url}{pdf_url}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = (
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
        .replace("\n", "")
        .replace(" ", "")
    )
    assert "人民调解协议书" in text and case.number in text and "银行转账" in text

    _open(page, "conclude")
    page.check("input[name=outcome][value=written_agreement]")
    _save(page, case_url)
    assert "结案前须经督办人员或指定评估人评估。" in page.content()
    assert page.locator("[data-action=close]").count() == 0
    page.click("[data-testid=user-menu]")  # the user menu holds 退出 (issue 15)
    page.click("[data-testid=logout]")

    sign_in(page, "supervisor")
    page.goto(case_url)
    assert page.locator("[data-action=record_session]").count() == 0
    _open(page, "evaluate")
    page.check("#id_outcome_correct")
    page.check("#id_documents_complete")
    page.check("#id_on_time")
    page.fill("#id_comment", "调解程序规范，协议内容明确。")
    _save(page, case_url)
    assert "调解程序规范" in page.locator("[data-testid=evaluation]").inner_text()
    page.click("[data-testid=user-menu]")  # the user menu holds 退出 (issue 15)
    page.click("[data-testid=logout]")

    sign_in(page, "mediator")
    page.goto(case_url)
    _open(page, "close")
    page.fill("#id_summary", "双方达成书面协议，已结案。")
    page.fill("#id_money_covered", "30000")
    _save(page, case_url)
    assert page.locator("[data-testid=case-status]").inner_text() == "已结案"
    assert "结案回访" in page.locator("#follow-ups").inner_text()

    page.locator("#follow-ups [data-action=record_follow_up]").first.click()
    page.locator("[data-testid=action-form]").wait_for()
    page.select_option("#id_method", "phone")
    page.select_option("#id_performance", "performing")
    page.check("input[name=satisfaction][value='5']")
    page.fill("#id_notes", "已收到部分款项，对调解工作满意。")
    _save(page, case_url)
    visits = page.locator("#follow-ups").inner_text()
    assert "非常满意" in visits and "电话回访" in visits
    timeline = page.locator("[data-testid=timeline] li").all_inner_texts()
    assert timeline[0].split(" ", 2)[-1].startswith("回访")
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED


def test_case_page_fits_a_phone(phone_page, live_server, sign_in, make_case, world, mediator, supervisor):
    from tests.cases.lifecycle_helpers import make_effective, session

    case = route(make_case(), world.channels["specialist"])
    session(case, mediator)
    make_effective(case, mediator)
    sign_in(phone_page, "mediator")
    phone_page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert phone_page.locator("[data-action=conclude]").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
