"""The lockout pages speak in minutes and clock times, not ISO 8601 durations (issue 13, item 12)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone


def _alert(response) -> str:
    return re.search(r'role="alert">(.*?)</p>', response.content.decode(), re.S).group(1)


def _lock(client, username="clerk"):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": username, "password": "wrong"})
    return client.post(reverse("accounts:login"), {"username": username, "password": "wrong"})


def test_staff_lockout_page_says_minutes(client, clerk):
    locked = _lock(client)
    assert locked.status_code == 429
    assert _alert(locked) == "登录失败次数过多，账户已被锁定。请 10 分钟后再试，或联系管理员解锁。"
    assert "PT10M" not in locked.content.decode()


def test_staff_lockout_page_follows_the_setting(client, clerk, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)  # LOGIN_LOCKOUT_MINUTES=30
    assert "请 30 分钟后再试" in _alert(_lock(client))


@pytest.mark.django_db
def test_portal_lockouts_name_a_clock_time(client, make_case, settings):
    settings.SMS_BACKEND = "accounts.sms.LocMemSMSBackend"
    settings.PORTAL_LOOKUP_FAILURE_LIMIT = 5
    case = make_case()
    for _n in range(5):
        client.post(
            "/portal/status/", {"code": case.tracking_code, "phone_last4": "0000"}, REMOTE_ADDR="10.6.0.1"
        )
    locked = client.post(
        "/portal/status/", {"code": case.tracking_code, "phone_last4": "8000"}, REMOTE_ADDR="10.6.0.1"
    )
    until = timezone.localtime(timezone.now() + timedelta(minutes=15))
    text = locked.content.decode()
    assert locked.status_code == 429 and "查询失败次数过多，已暂时锁定。请于" in text
    assert (
        re.search(r"请于 \d{2}:\d{2} 后再试", text)
        and f"{until:%H:}" in text
        and not re.search(r"(?<![A-Za-z0-9])PT\d+[HMS]", text)
    )  # no ISO 8601 duration (the CSRF token may hold "PT")

    client.post("/portal/sign-in/", {"action": "send", "phone": "13600005555"}, REMOTE_ADDR="10.6.0.2")
    again = client.post(
        "/portal/sign-in/", {"action": "send", "phone": "13600005555"}, REMOTE_ADDR="10.6.0.2"
    )
    assert re.search(r"验证码发送过于频繁，请稍后再试。 请于 \d{2}:\d{2} 后再试。", again.content.decode())
