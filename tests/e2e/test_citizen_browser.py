"""A citizen on a phone (375 px): the portal home, and an online application with consent, preview,
going back to edit (files kept) and the upload progress bar; the same without JavaScript."""

import re
from pathlib import Path

import pytest

from accounts.models import Center
from cases.models import Case
from cases.portal.models import ApplicationConsent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "citizen"


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def signed_in(browser, live_server, citizen, **options):
    """A phone context with the citizen's session cookie (the SMS sign-in has its own browser test)."""
    from django.test import Client

    client = Client()
    client.force_login(citizen, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, **options
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def test_home_shows_the_center_and_five_thumb_sized_buttons(phone_page, browser, live_server, world):
    Center.objects.filter(pk=world.county.pk).update(
        address="测试县人民路 8 号（政务服务中心二楼）",
        phone="0571-88886666",
        office_hours="周一至周五 8:30–12:00，14:00–17:30（法定节假日除外）",
    )
    page = phone_page
    page.goto(f"{live_server.url}/portal/")
    card = page.locator("[data-testid=center-card]").first
    assert "测试县矛调中心" in card.inner_text() and "周一至周五 8:30–12:00" in card.inner_text()
    assert page.locator("[data-testid=center-phone]").first.get_attribute("href") == "tel:0571-88886666"
    buttons = page.locator("[data-testid=home-buttons] a")
    assert [b.split()[-1] for b in buttons.all_inner_texts()] == [
        "申请调解",
        "查询进度",
        "预约到访",
        "在线咨询",
        "我的案件",
    ]
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box["height"] >= 56 and box["width"] >= 150  # one thumb: big targets, two per row
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert fits_the_screen(page)
    shoot(page, "home-375")
    page.click("[data-testid=home-buttons] >> text=查询进度")
    page.wait_for_url(f"{live_server.url}/portal/status/")
    wide = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    wide.goto(f"{live_server.url}/portal/")
    shoot(wide, "home-1366")
    wide.context.close()


def fill_application(page):
    page.select_option("#id_center", label="测试县矛调中心")
    page.select_option("#id_dispute_type", label="劳动争议")
    page.fill("#id_applicant_name", "王小明")
    page.fill("#id_respondent_name", "某建筑公司")
    page.fill("#id_summary", "公司拖欠三个月工资。")
    page.fill("#id_claims", "支付工资 12000 元")


def test_application_with_consent_preview_edit_and_upload_progress(browser, live_server, world, citizen):
    page = signed_in(browser, live_server, citizen)
    base = live_server.url
    page.goto(f"{base}/portal/apply/")
    assert "保存多久" in page.locator("[data-testid=privacy-notice]").inner_text()
    fill_application(page)
    page.set_input_files(
        "#id_files",
        files=[
            {"name": "欠条.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8" + b"j" * 2_000_000},
            {"name": "工资条.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 pay"},
        ],
    )
    # Without the consent box ticked the form comes back with the reason, files kept.
    page.click("[data-testid=preview-application]")
    page.wait_for_selector("[data-testid=form-errors]")
    assert "请阅读个人信息处理告知并勾选同意" in page.locator("[data-testid=privacy-notice]").inner_text()
    assert page.locator("[data-testid=kept-files] input:checked").count() == 2
    assert page.input_value("#id_applicant_name") == "王小明"
    assert fits_the_screen(page)
    shoot(page, "apply-consent-missing-375")

    # The progress bar's values survive the page change in sessionStorage: proof the XHR path ran.
    page.evaluate(
        """() => {
        const meter = document.querySelector('[data-testid=upload-progress] [role=progressbar]');
        new MutationObserver(() => {
          const seen = JSON.parse(sessionStorage.getItem('seen') || '[]');
          seen.push(meter.getAttribute('aria-valuenow'));
          sessionStorage.setItem('seen', JSON.stringify(seen));
        }).observe(meter, {attributes: true});
    }"""
    )
    page.check("[data-testid=privacy-consent]")
    page.click("[data-testid=preview-application]")
    page.wait_for_url(f"{base}/portal/apply/preview/")
    assert "100" in page.evaluate("JSON.parse(sessionStorage.getItem('seen') || '[]')")
    preview = page.locator("[data-testid=preview]").inner_text()
    assert "王小明" in preview and "欠条.jpg" in preview and "工资条.pdf" in preview
    assert "同意《个人信息处理告知》（版本 2026-12-01）" in preview
    assert fits_the_screen(page)
    shoot(page, "apply-preview-375")

    # 返回修改: change the claim, untick one file; nothing else needs typing again.
    page.click("[data-testid=back-to-edit]")
    page.wait_for_url(f"{base}/portal/apply/")
    assert page.input_value("#id_summary") == "公司拖欠三个月工资。"
    assert page.is_checked("[data-testid=privacy-consent]")
    page.fill("#id_claims", "支付工资 12000 元及利息")
    page.uncheck("[data-testid=kept-files] label:has-text('工资条.pdf') >> xpath=../input")
    shoot(page, "apply-edit-375")
    page.click("[data-testid=preview-application]")
    page.wait_for_url(f"{base}/portal/apply/preview/")
    assert "及利息" in page.locator("[data-testid=preview]").inner_text()
    assert "工资条.pdf" not in page.locator("[data-testid=preview-files]").inner_text()
    page.click("[data-testid=submit-application]")
    page.wait_for_selector("[data-testid=tracking-code]")
    case = Case.objects.get(tracking_code=page.locator("[data-testid=tracking-code]").inner_text().strip())
    assert case.claims == "支付工资 12000 元及利息"
    assert list(case.attachments.values_list("original_name", flat=True)) == ["欠条.jpg"]
    assert case.attachments.get().size == 2_000_002
    assert ApplicationConsent.objects.get(case=case).notice_version == "2026-12-01"
    page.context.close()


def test_application_works_without_javascript(browser, live_server, world, citizen):
    page = signed_in(browser, live_server, citizen, java_script_enabled=False)
    page.goto(f"{live_server.url}/portal/apply/")
    fill_application(page)
    page.set_input_files(
        "#id_files", files=[{"name": "照片.png", "mimeType": "image/png", "buffer": b"\x89PNG"}]
    )
    page.check("[data-testid=privacy-consent]")
    page.click("[data-testid=preview-application]")
    page.wait_for_url(re.compile(r"/portal/apply/preview/$"))
    assert "照片.png" in page.locator("[data-testid=preview-files]").inner_text()
    page.click("[data-testid=submit-application]")
    page.wait_for_selector("[data-testid=tracking-code]")
    case = Case.objects.get(tracking_code=page.locator("[data-testid=tracking-code]").inner_text().strip())
    assert case.attachments.get().original_name == "照片.png"
    page.context.close()
