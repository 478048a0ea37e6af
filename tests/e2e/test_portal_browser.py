"""A citizen on a phone: signs in with an SMS code, applies online, then looks the case up."""

import re

import pytest

from accounts import sms
from cases.core.access import cases_visible_to
from cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_citizen_applies_online_and_looks_the_case_up_on_a_phone(
    phone_page, live_server, world, clerk, settings
):
    settings.SMS_BACKEND = "accounts.sms.LocMemSMSBackend"
    sms.outbox.clear()
    page = phone_page
    base = live_server.url

    page.goto(f"{base}/portal/apply/")
    page.wait_for_url(re.compile(r"/portal/sign-in/\?next="))
    assert page.locator("h1").inner_text() == "手机号登录"
    assert fits_the_screen(page)
    page.fill("#id_phone", "13655556666")
    page.click("[data-testid=send-code]")
    page.wait_for_selector("#id_code")
    code = re.search(r"验证码为 (\d{6})", sms.outbox[-1].text).group(1)
    page.fill("#id_code", code)
    page.click("[data-testid=verify]")
    page.wait_for_url(f"{base}/portal/apply/")

    assert page.locator("h1").inner_text() == "在线申请调解"
    page.select_option("#id_center", label="测试县矛调中心")
    page.select_option("#id_dispute_type", label="劳动争议")
    page.fill("#id_applicant_name", "王小明")
    page.fill("#id_respondent_name", "某建筑公司")
    page.fill("#id_summary", "公司拖欠三个月工资。")
    page.fill("#id_claims", "支付工资 12000 元")
    page.set_input_files(
        "#id_files", files=[{"name": "欠条.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8jpeg"}]
    )
    page.check("[data-testid=privacy-consent]")
    assert fits_the_screen(page)
    page.click("[data-testid=preview-application]")
    page.wait_for_url(f"{base}/portal/apply/preview/")
    page.click("[data-testid=submit-application]")
    page.wait_for_selector("[data-testid=tracking-code]")
    tracking_code = page.locator("[data-testid=tracking-code]").inner_text().strip()
    case = Case.objects.get(tracking_code=tracking_code)
    assert case.status == "submitted" and case.source == "online" and case.attachments.count() == 1
    assert cases_visible_to(clerk).filter(pk=case.pk).exists()

    # The receipt's QR code and this button open the status page with the code filled in.
    page.click("[data-testid=check-status]")
    page.wait_for_url(re.compile(r"/portal/status/\?code="))
    assert page.input_value("#id_code") == tracking_code
    page.fill("#id_phone_last4", "0000")
    page.click("[data-testid=lookup-submit]")
    page.wait_for_selector("[data-testid=lookup-error]")
    assert "不匹配" in page.locator("[data-testid=lookup-error]").inner_text()
    page.fill("#id_code", tracking_code)
    page.fill("#id_phone_last4", "6666")
    page.click("[data-testid=lookup-submit]")
    page.wait_for_selector("[data-testid=case-status]")
    assert page.locator("[data-testid=case-status-label]").inner_text() == "待受理"
    body = page.locator("main").inner_text()
    assert "王*" in body and "王小明" not in body and "136****6666" in body
    assert "网上申请已提交" in body
    assert fits_the_screen(page)
