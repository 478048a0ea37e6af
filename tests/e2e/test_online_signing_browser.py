"""On phones: the mediator texts the signing links, two parties sign the agreement electronically (SMS sign-in,
the exact PDF, a one-time code, 确认并签字), the mediator signs and seals; the stamped PDF's hash verifies."""

import hashlib
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from accounts import sms
from cases.models import Case
from online.models import ElectronicSignature, SigningVersion, StampedCopy
from tests.cases.lifecycle_helpers import draft, route, session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUT = Path(__file__).resolve().parents[2] / "test-output" / "online"
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _shot(page, name):
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def _party_signs(browser, base, phone: str, name: str):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    link = re.search(
        r"(/online/sign/\S+/)",
        [m.text for m in sms.outbox if m.phone == phone and "/online/sign/" in m.text][-1],
    ).group(1)
    page.goto(base + link)
    page.wait_for_url(re.compile(r"/portal/sign-in/\?next="))
    page.fill("#id_phone", phone)
    page.click("[data-testid=send-code]")
    page.wait_for_selector("#id_code")
    code = re.search(r"验证码为 (\d{6})", sms.outbox[-1].text).group(1)
    page.fill("#id_code", code)
    page.click("[data-testid=verify]")
    page.wait_for_url(base + link)
    assert page.locator("h1").first.inner_text() == "电子签署调解协议书"
    assert fits_the_screen(page)
    _shot(page, f"sign-{name}-1-read")
    # The PDF the party reads is the one whose hash the page shows.
    pdf_href = page.locator("[data-testid=signing-pdf]").get_attribute("href")
    pdf = page.context.request.get(base + pdf_href).body()
    assert (
        hashlib.sha256(pdf).hexdigest() == page.locator("[data-testid=signing-sha256]").inner_text().strip()
    )
    page.click("[data-testid=send-sign-code]")
    page.wait_for_selector(".messages, [role=status], #id_code")
    code = re.search(r"验证码 (\d{6})", sms.outbox[-1].text).group(1)
    assert sms.outbox[-1].phone == phone  # to the phone on the party record
    page.fill("#id_code", code)
    page.check("#id_read")
    _shot(page, f"sign-{name}-2-code")
    page.click("[data-testid=confirm-sign]")
    page.wait_for_selector("[data-testid=sign-state]")
    assert "您已电子签名" in page.locator("[data-testid=sign-state]").inner_text()
    assert fits_the_screen(page)
    _shot(page, f"sign-{name}-3-signed")
    context.close()
    return hashlib.sha256(pdf).hexdigest()


def test_two_parties_sign_on_phones_and_the_mediator_completes_it(
    browser, live_server, sign_in, make_case, world, mediator, settings
):
    settings.SMS_BACKEND = "accounts.sms.LocMemSMSBackend"
    sms.outbox.clear()
    base = live_server.url
    case = route(make_case(), world.channels["specialist"])
    session(case, mediator)
    agreement = draft(case, mediator)
    case_url = f"{base}/cases/{case.pk}/"

    staff = browser.new_context(**PHONE)
    page = staff.new_page()
    page.set_default_timeout(15000)
    sign_in(page, "mediator")
    page.goto(case_url + "?tab=documents")  # the case page's 文书 tab
    invite = page.locator("[data-testid=e-sign-invite]")
    assert invite.is_visible() and fits_the_screen(page)
    invite.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(case_url)))
    assert {m.phone for m in sms.outbox} == {"13800138000", "13912345678"}

    hashes = {
        _party_signs(browser, base, "13800138000", "zhang"),
        _party_signs(browser, base, "13912345678", "li"),
    }
    version = SigningVersion.objects.get(agreement=agreement)
    assert hashes == {version.sha256}  # both signed the same exact PDF

    page.goto(case_url + "?tab=documents")
    states = page.locator("[data-testid=e-sign-party]").all_inner_texts()
    assert len(states) == 2 and all("已电子签名" in s for s in states)
    page.click("[data-action=sign_agreement]")  # the form opens in place, in the 文书 tab
    page.locator("[data-testid=action-form]").wait_for()
    page.check("#id_mediator")
    page.check("#id_seal")
    page.click("[data-testid=action-form] [data-testid=action-save]")
    page.wait_for_selector("[data-testid=agreement-state]:has-text('已生效')")
    assert page.locator("[data-testid=agreement-state]").inner_text().startswith("已生效")
    assert fits_the_screen(page)
    _shot(page, "case-page-signed")
    page.locator("[data-testid=e-signing]").screenshot(path=str(OUT / "case-page-e-signing.png"))
    assert Case.objects.get(pk=case.pk).agreements.get().is_effective

    with page.expect_download() as download:
        page.click("[data-testid=staff-stamped-pdf]")
    stamped = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(stamped).hexdigest() == StampedCopy.objects.get().sha256
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(stamped)).pages)
    codes = list(ElectronicSignature.objects.values_list("verification_code", flat=True))
    assert "电子签名" in text and all(code in text for code in codes) and "张三" in text and "李四" in text
    staff.close()

    # Anyone holding the code and the file checks it on the public page.
    checker = browser.new_context(**PHONE)
    page = checker.new_page()
    page.goto(f"{base}/online/verify/")
    page.fill("#id_code", codes[0])
    page.set_input_files(
        "#id_file", files=[{"name": "协议.pdf", "mimeType": "application/pdf", "buffer": stamped}]
    )
    page.click("[data-testid=verify-submit]")
    page.wait_for_selector("[data-testid=verify-result]")
    assert "文件一致" in page.locator("[data-testid=verify-outcome]").inner_text()
    assert "张*" in page.locator("[data-testid=verify-signers]").inner_text()
    assert fits_the_screen(page)
    _shot(page, "verify")
    checker.close()

    # The same pages on a desktop (1366 px): the case page's 电子签署 section and the verification result.
    desktop = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = desktop.new_page()
    sign_in(page, "mediator")
    page.goto(case_url + "?tab=documents")
    assert len(page.locator("[data-testid=e-sign-party]").all()) == 2 and fits_the_screen(page)
    page.locator("[data-testid=e-signing]").screenshot(path=str(OUT / "case-page-e-signing-1366.png"))
    page.goto(f"{base}/online/verify/")
    page.fill("#id_code", codes[1])
    page.set_input_files(
        "#id_file", files=[{"name": "协议.pdf", "mimeType": "application/pdf", "buffer": stamped}]
    )
    page.click("[data-testid=verify-submit]")
    page.wait_for_selector("[data-testid=verify-result]")
    assert "文件一致" in page.locator("[data-testid=verify-outcome]").inner_text()
    _shot(page, "verify-1366")
    desktop.close()
