"""On phones (375 px): the mediator schedules an online session from the case page's lazy 线上调解 card and
texts the invitations; a party opens the invite link, signs in by SMS, posts a message and answers the
proposal; the mediator records the time and closes it; the party reads the record and taps 我已阅读并确认."""

import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts import sms
from online.models import OnlineSession
from tests.cases.lifecycle_helpers import route

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUT = Path(__file__).resolve().parents[2] / "test-output" / "online"
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _shot(page, name):
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def _link(phone: str) -> str:
    text = [m.text for m in sms.outbox if m.phone == phone and "/online/s/" in m.text][-1]
    return re.search(r"(/online/s/\S+/)", text).group(1)


def test_a_party_joins_posts_and_confirms_the_record_on_a_phone(
    browser, live_server, sign_in, make_case, world, mediator, settings
):
    settings.SMS_BACKEND = "accounts.sms.LocMemSMSBackend"
    sms.outbox.clear()
    base = live_server.url
    case = route(make_case(), world.channels["specialist"])
    case_url = f"{base}/cases/{case.pk}/"

    staff = browser.new_context(**PHONE)
    page = staff.new_page()
    page.set_default_timeout(15000)
    sign_in(page, "mediator")
    page.goto(case_url + "?tab=documents")
    page.wait_for_selector("[data-testid=online-sessions]")  # loaded by htmx after the page
    card = page.locator("[data-testid=schedule-session]")
    planned = timezone.localtime() + timedelta(minutes=10)
    card.locator("input[name=planned_at]").fill(planned.strftime("%Y-%m-%dT%H:%M"))
    card.locator("input[name=video_url]").fill("https://meeting.example.cn/j/375")
    assert fits_the_screen(page)
    card.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=session-invite]")
    online_session = OnlineSession.objects.get(session__case=case)
    page.locator("[data-testid=session-invite] button[type=submit]").click()
    page.wait_for_selector("[data-testid=online-session-party]:has-text('已邀请')")
    page.fill("#id_body", "请双方先陈述意见。方案：李四十日内支付三万元。")
    page.check("#kind-proposal")
    page.locator("[data-testid=staff-post] button[type=submit]").click()
    page.wait_for_selector("[data-testid=session-proposal]")
    assert fits_the_screen(page)
    _shot(page, "session-staff-1-invited")

    # 张三 opens the link from the SMS, signs in with the portal's SMS code and lands back on the session.
    party = browser.new_context(**PHONE)
    phone_page = party.new_page()
    phone_page.set_default_timeout(15000)
    link = _link("13800138000")
    phone_page.goto(base + link)
    phone_page.wait_for_url(re.compile(r"/portal/sign-in/\?next="))
    phone_page.fill("#id_phone", "13800138000")
    phone_page.click("[data-testid=send-code]")
    phone_page.wait_for_selector("#id_code")
    code = re.search(r"验证码为 (\d{6})", sms.outbox[-1].text).group(1)
    phone_page.fill("#id_code", code)
    phone_page.click("[data-testid=verify]")
    phone_page.wait_for_url(base + link)
    assert (
        phone_page.locator("[data-testid=video-link]").get_attribute("href")
        == "https://meeting.example.cn/j/375"
    )
    phone_page.fill("#id_body", "我同意调解，公司欠我三个月工资。")
    phone_page.click("[data-testid=party-send]")
    phone_page.wait_for_selector("[data-testid=session-post]:has-text('公司欠我三个月工资')")
    phone_page.click("[data-testid=answer-agree]")
    phone_page.wait_for_selector("[data-testid=my-answer]:has-text('同意')")
    assert fits_the_screen(phone_page)
    _shot(phone_page, "session-party-1-thread")

    # The mediator records the start and closes the session: the thread becomes the record.
    page.reload()
    page.fill("#id_held_from", (timezone.localtime() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("[data-testid=session-times] button[type=submit]").click()
    page.wait_for_selector("[data-testid=held-times]:not(:has-text('—'))")
    page.select_option("#id_outcome", "agreed")
    page.locator("[data-testid=session-close] button[type=submit]").click()
    page.wait_for_selector("[data-testid=staff-record]")

    # 张三 opens the confirmation link, reads the record and confirms it.
    phone_page.goto(base + _link("13800138000"))
    record = phone_page.locator("[data-testid=record-text]").inner_text()
    assert "公司欠我三个月工资" in record and "张三：同意" in record
    shown = phone_page.locator("[data-testid=record-sha256]").inner_text().strip()
    online_session.refresh_from_db()
    assert (
        shown
        == online_session.record_sha256
        == hashlib.sha256(online_session.record_text.encode()).hexdigest()
    )
    phone_page.check("#id_read")
    _shot(phone_page, "session-party-2-record")
    phone_page.click("[data-testid=confirm-record]")
    phone_page.wait_for_selector("[data-testid=confirmed]")
    assert fits_the_screen(phone_page)
    _shot(phone_page, "session-party-3-confirmed")
    row = online_session.participants.get(party__name="张三")
    assert row.confirmed_sha256 == shown and row.confirmed_user_agent and row.confirmed_ip

    page.goto(case_url + "?tab=documents")
    page.wait_for_selector("[data-testid=online-sessions]")
    states = page.locator("[data-testid=online-session-party]").all_inner_texts()
    assert any("张三" in s and "已确认笔录" in s for s in states)
    assert any("李四" in s and "已邀请" in s for s in states)
    assert fits_the_screen(page)
    page.locator("[data-testid=online-sessions]").screenshot(path=str(OUT / "session-case-section.png"))
    party.close()
    staff.close()

    # The mediator's session page on a desktop (1366 px): the record, the thread and the party states.
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = desk.new_page()
    page.set_default_timeout(15000)
    sign_in(page, "mediator")
    page.goto(f"{base}/online/cases/{case.pk}/sessions/{online_session.pk}/")
    page.wait_for_selector("[data-testid=staff-record]")
    assert fits_the_screen(page)
    _shot(page, "session-staff-2-closed-desktop")
    desk.close()
