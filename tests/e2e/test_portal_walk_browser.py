"""The citizen portal on the UI kit (issue 15), walked on a phone (375 px) and a desktop (1366 px): sign in by
SMS, apply online (form → preview → receipt), look the new case up, then find the agreement waiting in 在线签署
through the services menu and sign it. On every page: no horizontal scroll, the page's main button in sight,
and on the phone every control at least 44 px tall (WCAG 2.5.5). Screenshots under test-output/portal/."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from accounts import sms
from cases.models import Case
from online.models import ElectronicSignature
from tests.cases.lifecycle_helpers import draft, route, session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUT = Path(__file__).resolve().parents[2] / "test-output" / "portal"
SIZES = {
    "375": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True},
    "1366": {"viewport": {"width": 1366, "height": 900}},
}

# Visible controls in the page's own content and menu shorter than 44 px: a checkbox or radio counts by the row
# that holds it and its label (the whole row is the target), an inline link inside running text is exempt.
SMALL_TARGETS_JS = r"""
() => {
  const small = [];
  const seen = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && e.checkVisibility(); };
  const targets = document.querySelectorAll(
    "main .btn, main button, main .list-group-item-action, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), " +
    "main select, main textarea, main .form-check, main label.list-group-item, header .btn, .portal-menu .nav-link");
  for (const el of targets) {
    if (!seen(el)) continue;
    const h = el.getBoundingClientRect().height;
    if (h < 43.5) small.push(`${el.tagName.toLowerCase()}.${el.className.toString().slice(0, 40)} "${el.textContent.trim().slice(0, 20)}" ${Math.round(h)}px`);
  }
  return small;
}
"""


def _check(page, size: str, name: str, *main):
    """The page fits the width, its main buttons are in view once scrolled to, and (phone) every target is big."""
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}-{size}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    for selector in main:
        button = page.locator(selector).first
        button.scroll_into_view_if_needed()
        assert button.is_visible(), (name, selector)
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], (name, selector, box)
    if size == "375":
        assert page.evaluate(SMALL_TARGETS_JS) == [], name
    # the citizen's shell, never the staff one
    assert page.locator("#sidebar, [data-testid=search-box], [data-testid=bell]").count() == 0, name


def _sms_code(pattern: str) -> str:
    return re.search(pattern, sms.outbox[-1].text).group(1)


@pytest.mark.parametrize("size", ["375", "1366"])
def test_a_citizen_applies_looks_up_and_signs_on_a_phone_and_a_desktop(
    size, browser, live_server, make_case, world, mediator, settings
):
    settings.SMS_BACKEND = "accounts.sms.LocMemSMSBackend"
    sms.outbox.clear()
    base = live_server.url
    # An agreement for 张三 (13800138000) to sign: the mediator texts the link from the case page's 文书 tab.
    waiting = route(make_case(), world.channels["specialist"])
    session(waiting, mediator)
    draft(waiting, mediator)
    staff = Client()
    staff.force_login(mediator)
    zhang = waiting.parties.get(name="张三")
    invited = staff.post(reverse("online:invite", args=[waiting.pk]), {"parties": [zhang.pk]})
    assert invited.status_code == 302 and any("/online/sign/" in m.text for m in sms.outbox)

    context = browser.new_context(locale="zh-CN", **SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15000)

    page.goto(f"{base}/portal/")
    _check(page, size, "1-home", "[data-testid=home-buttons] a", "[data-testid=portal-sign-in]")
    page.locator("[data-testid=home-buttons] a").first.click()  # 申请调解
    page.wait_for_url(re.compile(r"/portal/sign-in/\?next="))
    _check(page, size, "2-sign-in", "[data-testid=send-code]")
    page.fill("#id_phone", "13800138000")
    page.click("[data-testid=send-code]")
    page.wait_for_selector("#id_code")
    page.fill("#id_code", _sms_code(r"验证码为 (\d{6})"))
    _check(page, size, "3-sign-in-code", "[data-testid=verify]")
    page.click("[data-testid=verify]")
    page.wait_for_url(f"{base}/portal/apply/")

    # Apply: a missing consent keeps everything typed and says what to fix; then preview and submit.
    page.select_option("#id_center", label="测试县矛调中心")
    page.select_option("#id_dispute_type", label="劳动争议")
    page.fill("#id_applicant_name", "张三")
    page.fill("#id_respondent_name", "某物业公司")
    page.fill("#id_summary", "物业费争议，多次协商未果。")
    page.fill("#id_claims", "退还多收的物业费 800 元")
    page.click("[data-testid=preview-application]")
    page.wait_for_selector("[data-testid=form-errors]")
    assert page.input_value("#id_respondent_name") == "某物业公司"
    assert page.locator("[data-testid=privacy-notice] [role=alert]").is_visible()
    _check(page, size, "4-apply-error", "[data-testid=preview-application]")
    page.check("[data-testid=privacy-consent]")
    page.click("[data-testid=preview-application]")
    page.wait_for_url(f"{base}/portal/apply/preview/")
    assert page.locator("[data-testid=preview-respondent]").inner_text() == "某物业公司"
    assert page.locator("[data-testid=apply-steps] [aria-current=step]").inner_text() == "2 预览核对"
    _check(page, size, "5-apply-preview", "[data-testid=submit-application]", "[data-testid=back-to-edit]")
    page.click("[data-testid=submit-application]")
    page.wait_for_selector("[data-testid=tracking-code]")
    tracking_code = page.locator("[data-testid=tracking-code]").inner_text().strip()
    applied = Case.objects.get(tracking_code=tracking_code)
    assert applied.status == "submitted" and applied.source == "online"
    _check(page, size, "6-applied", "[data-testid=check-status]")

    # Status: the receipt's button fills the code in; the last four digits of the phone open the case.
    page.click("[data-testid=check-status]")
    page.wait_for_url(re.compile(r"/portal/status/\?code="))
    assert page.input_value("#id_code") == tracking_code
    page.fill("#id_phone_last4", "8000")
    _check(page, size, "7-status-lookup", "[data-testid=lookup-submit]")
    page.click("[data-testid=lookup-submit]")
    page.wait_for_selector("[data-testid=step-bar]")
    assert page.locator("[data-testid=case-status-label]").inner_text() == "待受理"
    assert page.locator("[data-testid=step-bar] [aria-current=step]").is_visible()
    _check(page, size, "8-status", "[data-testid=step-bar]", "[data-testid=case-status-label]")

    # Sign: 在线签署 from the services menu (behind the menu button on a phone, a pill on a desktop).
    if size == "375":
        assert not page.locator("[data-testid=portal-menu] >> text=在线签署").is_visible()
        page.click("[data-testid=portal-menu-toggle]")
        page.locator("[data-testid=portal-menu].show").wait_for()
        _check(page, size, "9-menu")
    page.locator("[data-testid=portal-menu] >> text=在线签署").click()
    page.wait_for_url(f"{base}/online/sign/")
    assert page.locator("[data-testid=pending-count]").inner_text() == "1"
    _check(page, size, "10-my-signing", "[data-testid=pending-signings] a")
    page.locator("[data-testid=pending-signings] a").click()
    page.wait_for_selector("[data-testid=e-sign]")
    assert page.locator("h1").first.inner_text() == "电子签署调解协议书"
    _check(page, size, "11-sign-read", "[data-testid=signing-pdf]", "[data-testid=send-sign-code]")
    page.click("[data-testid=send-sign-code]")
    page.wait_for_selector(".messages")
    page.fill("#id_code", _sms_code(r"验证码 (\d{6})"))
    page.check("#id_read")
    _check(page, size, "12-sign-code", "[data-testid=confirm-sign]")
    page.click("[data-testid=confirm-sign]")
    page.wait_for_selector("[data-testid=sign-state]")
    assert "您已电子签名" in page.locator("[data-testid=sign-state]").inner_text()
    code = ElectronicSignature.objects.get(party=zhang).verification_code
    assert page.locator("[data-testid=verification-code]").inner_text() == code
    _check(page, size, "13-signed", "[data-testid=stamped-pdf]")
    context.close()
