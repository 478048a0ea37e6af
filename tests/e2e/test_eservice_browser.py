"""电子送达 on phones: the mediator records the applicant's consent and serves the receipt from the case page's
文书送达 card (loaded by htmx); the applicant opens the SMS link at 375 px, signs in by SMS code and sees a
page naming the document, the case and the sender, taps 查看送达文书 (the first opening, the moment of
service) and sees the document page with the exact PDF; the staff case page then shows "已送达 <time>". The
same card at 1366 px. Screenshots go to test-output/eservice/."""

import hashlib
import re
from pathlib import Path

import pytest
from django.utils import timezone

from accounts import sms
from eservice.models import DocumentService
from tests.cases.lifecycle_helpers import route, session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUT = Path(__file__).resolve().parents[2] / "test-output" / "eservice"
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _shot(page, name):
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def test_party_opens_the_sms_link_and_the_case_page_shows_served(
    browser, live_server, sign_in, make_case, world, mediator, settings
):
    settings.SMS_BACKEND = "accounts.sms.LocMemSMSBackend"
    sms.outbox.clear()
    base = live_server.url
    case = route(make_case(), world.channels["specialist"])
    session(case, mediator)
    case_url = f"{base}/cases/{case.pk}/?tab=documents"
    applicant = case.parties.get(name="张三")

    staff = browser.new_context(**PHONE)
    page = staff.new_page()
    page.set_default_timeout(20000)
    sign_in(page, "mediator")
    page.goto(case_url)
    card = page.locator("[data-testid=e-service-serve]")  # the board replaced the placeholder
    card.wait_for(state="attached")
    page.locator(
        "[data-testid=e-service-consent-form] summary, details:has([data-testid=e-service-consent-form]) > summary"
    ).first.click()
    page.select_option("[data-testid=e-service-consent-form] select[name=party]", str(applicant.pk))
    page.select_option("[data-testid=e-service-consent-form] select[name=method]", "counter")
    page.click("[data-testid=e-service-consent-form] button[value=give]")
    page.wait_for_selector(
        f"[data-testid=e-service-party][data-service-party='{applicant.pk}'] >> text=已同意电子送达"
    )
    page.select_option("[data-testid=e-service-serve] select[name=party]", str(applicant.pk))
    page.select_option("[data-testid=e-service-serve] select[name=kind]", "receipt")
    page.click("[data-testid=e-service-serve] button[type=submit]")
    page.wait_for_selector("[data-testid=e-service-serve]")
    assert fits_the_screen(page)
    _shot(page, "case-page-sent-375")
    assert [m.phone for m in sms.outbox if "/portal/service/d/" in m.text] == ["13800138000"]

    # The party, on their phone: the SMS link, the portal's sign-in, then the document.
    party = browser.new_context(**PHONE)
    phone = party.new_page()
    phone.set_default_timeout(20000)
    link = re.search(r"(/portal/service/d/\S+/)", sms.outbox[-1].text).group(1)
    phone.goto(base + link)
    phone.wait_for_url(re.compile(r"/portal/sign-in/\?next="))
    phone.fill("#id_phone", "13800138000")
    phone.click("[data-testid=send-code]")
    phone.wait_for_selector("#id_code")
    code = re.search(r"验证码为 (\d{6})", sms.outbox[-1].text).group(1)
    phone.fill("#id_code", code)
    phone.click("[data-testid=verify]")
    phone.wait_for_url(base + link)
    # The link's page changes nothing: the document, the case and the sender, and one button.
    assert phone.locator("h1").first.inner_text() == "电子送达"
    assert phone.locator("[data-testid=e-service-document]").inner_text() == "受理回执"
    assert phone.locator("[data-testid=e-service-case]").inner_text() == case.number
    assert phone.locator("[data-testid=e-service-sender]").inner_text() == case.center.name
    assert "打开文书即为送达" in phone.locator("[data-testid=e-service-notice]").inner_text()
    assert DocumentService.objects.get().opened_at is None
    assert fits_the_screen(phone)
    _shot(phone, "party-before-opening-375")
    phone.locator("[data-testid=e-service-open-button]").tap()
    phone.wait_for_selector("[data-testid=e-service-sha256]")
    assert phone.url == base + link  # back on the link's page (PRG)
    assert DocumentService.objects.get().opened_at is not None
    assert "文书已送达，送达时间已记录。" in phone.locator(".messages").inner_text()
    assert phone.locator("[data-testid=e-service-document]").inner_text() == "受理回执"
    assert fits_the_screen(phone)
    _shot(phone, "party-opened-375")
    pdf_href = phone.locator("[data-testid=e-service-pdf]").get_attribute("href")
    pdf = phone.context.request.get(base + pdf_href)
    assert pdf.headers["content-type"] == "application/pdf"
    assert (
        hashlib.sha256(pdf.body()).hexdigest() == phone.locator("[data-testid=e-service-sha256]").inner_text()
    )
    party.close()

    service = DocumentService.objects.get()
    served = f"已送达 {timezone.localtime(service.opened_at):%Y-%m-%d %H:%M}"
    page.goto(case_url)
    status = page.locator(
        f"[data-testid=e-service-party][data-service-party='{applicant.pk}'] [data-testid=e-service-status][data-kind=receipt]"
    )
    status.wait_for()
    assert served in status.inner_text()
    assert fits_the_screen(page)
    page.locator("[data-testid=e-service]").screenshot(path=str(OUT / "case-page-served-375.png"))
    staff.close()

    desktop = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = desktop.new_page()
    page.set_default_timeout(20000)
    sign_in(page, "mediator")
    page.goto(case_url)
    page.locator("[data-testid=e-service-status][data-kind=receipt]").first.wait_for()
    assert served in page.locator("[data-testid=e-service]").inner_text() and fits_the_screen(page)
    page.locator("[data-testid=e-service]").screenshot(path=str(OUT / "case-page-served-1366.png"))
    desktop.close()
