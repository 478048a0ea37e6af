"""A citizen on a phone (375 px) reads the status page and rates a closed case with one tap."""

import re
from pathlib import Path

import pytest

from accounts import sms
from cases.models import Case, CaseClock, DisputeType, Rating, Status
from cases.warnings.services import extend_clock
from tests.cases.lifecycle_helpers import make_effective, route, session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "truth"


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def look_up(page, base, case, digits="8000"):
    page.goto(f"{base}/portal/status/")
    page.fill("#id_code", case.tracking_code)
    page.fill("#id_phone_last4", digits)
    page.click("[data-testid=lookup-submit]")
    page.wait_for_selector("[data-testid=step-bar]")


def test_status_page_on_a_phone_shows_stage_deadline_and_why_it_moved(
    phone_page, browser, live_server, make_case, supervisor
):
    case = make_case(dispute_type=DisputeType.objects.get(code="family"))
    extend_clock(
        CaseClock.objects.get(case=case, code="handling"),
        actor=supervisor,
        length=15,
        reason="需等待伤情鉴定结论",
    )
    page = phone_page
    look_up(page, live_server.url, case)
    assert page.locator("[aria-current=step]").inner_text().strip().endswith("已受理")
    assert "调解期限" in page.locator("[data-testid=headline-deadline]").inner_text()
    assert re.fullmatch(r"剩 \d+ 天", page.locator("[data-testid=days-left]").inner_text().strip())
    assert "需等待伤情鉴定结论" in page.locator("[data-testid=extensions]").inner_text()
    assert page.locator("[data-testid=step-bar] li").count() == 6
    assert fits_the_screen(page)
    shoot(page, "status-375")
    wide = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    look_up(wide, live_server.url, case)
    shoot(wide, "status-1366")
    wide.context.close()


def test_rating_from_the_lookup_through_sign_in_is_one_tap(
    phone_page, live_server, make_case, world, mediator, settings
):
    settings.SMS_BACKEND = "accounts.sms.LocMemSMSBackend"
    sms.outbox.clear()
    case = route(make_case(dispute_type=DisputeType.objects.get(code="family")), world.channels["specialist"])
    session(case, mediator)
    make_effective(case, mediator)
    from cases.lifecycle import services as lifecycle

    lifecycle.conclude_case(case, actor=mediator, outcome="written_agreement")
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    page, base = phone_page, live_server.url
    look_up(page, base, case)
    assert "达成书面调解协议" in page.locator("[data-testid=outcome]").inner_text()
    assert page.locator("[data-testid=agreement-terms] li").count() == 2
    assert "受理后确定" not in page.content()
    assert fits_the_screen(page)
    shoot(page, "closed-status-375")
    page.click("[data-testid=rate-link]")
    page.wait_for_url(re.compile(r"/portal/sign-in/\?next="))
    page.fill("#id_phone", "13800138000")
    page.click("[data-testid=send-code]")
    page.wait_for_selector("#id_code")
    page.fill("#id_code", re.search(r"验证码为 (\d{6})", sms.outbox[-1].text).group(1))
    page.click("[data-testid=verify]")
    page.wait_for_selector("[data-testid=faces]")
    assert f"/portal/cases/{case.tracking_code}/" in page.url
    faces = page.locator("[data-testid=faces] button")
    assert faces.all_inner_texts()[0].split()[-1] == "非常满意" and faces.count() == 5
    assert fits_the_screen(page)
    shoot(page, "rating-375")
    page.get_by_role("button", name="满意", exact=True).tap()
    page.wait_for_selector("[data-testid=rated]")
    rating = Rating.objects.get()
    assert rating.score == 4 and rating.case_id == case.pk
    shoot(page, "rated-375")
