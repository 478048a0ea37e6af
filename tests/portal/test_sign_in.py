import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts import sms
from accounts.models import SecurityAuditEvent, User
from cases.models import SignInCode

URL = "/portal/sign-in/"
PHONE = "13600001234"


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Ask for a code; test transactions never commit, so run the on-commit hooks (the SMS) here."""

    def _send(client, phone=PHONE, ip="10.9.0.1"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, {"action": "send", "phone": phone}, REMOTE_ADDR=ip)

    return _send


def verify(client, code, phone=PHONE):
    return client.post(URL, {"action": "verify", "phone": phone, "code": code})


def last_code(outbox) -> str:
    return re.search(r"验证码为 (\d{6})", outbox[-1].text).group(1)


@pytest.mark.django_db
def test_sign_in_with_code_creates_a_citizen_and_shows_their_cases(client, send, sms_outbox, make_case):
    make_case(parties=None)  # applicant phone 13800138000: not this citizen
    response = send(client)
    assert response.status_code == 200 and "验证码已发送到 136****1234" in response.content.decode()
    assert len(sms_outbox) == 1 and sms_outbox[0].phone == PHONE
    code = last_code(sms_outbox)
    assert SignInCode.objects.get().code_hash != code  # only a keyed hash is stored
    response = verify(client, code)
    assert response.status_code == 302 and response["Location"] == "/portal/me/"
    user = User.objects.get(phone=PHONE)
    assert user.kind == User.Kind.CITIZEN and not user.has_usable_password()
    page = client.get("/portal/me/")
    assert "暂无与您手机号相关的案件" in page.content.decode()
    # signing in again reuses the same account
    client.post("/portal/sign-out/")
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=2)):
        send(client)
        verify(client, last_code(sms_outbox))
    assert User.objects.filter(phone=PHONE).count() == 1


@pytest.mark.django_db
def test_code_is_single_use(client, send, sms_outbox):
    send(client)
    code = last_code(sms_outbox)
    assert verify(client, code).status_code == 302
    other = Client()
    response = verify(other, code)
    assert response.status_code == 200
    assert "验证码不正确或已过期" in response.content.decode()
    assert "_auth_user_id" not in other.session


@pytest.mark.django_db
def test_code_expires(client, send, sms_outbox, settings):
    settings.PORTAL_OTP_TTL_SECONDS = 300
    send(client)
    code = last_code(sms_outbox)
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=301)):
        response = verify(client, code)
    assert "验证码不正确或已过期" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_guesses_burn_the_code(client, send, sms_outbox, settings):
    settings.PORTAL_OTP_MAX_ATTEMPTS = 3
    send(client)
    code = last_code(sms_outbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        verify(client, wrong)
    response = verify(client, code)  # the right code no longer works
    assert "验证码不正确或已过期" in response.content.decode()
    assert SignInCode.objects.get().attempts == 3


@pytest.mark.django_db
def test_sending_is_rate_limited_per_phone(client, send, sms_outbox, settings):
    settings.PORTAL_OTP_RESEND_SECONDS = 60
    settings.PORTAL_OTP_PER_HOUR = 3
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        send(client)
        response = send(client)
        assert "验证码发送过于频繁" in response.content.decode() and "后再试" in response.content.decode()
        assert len(sms_outbox) == 1
        for _ in range(2):
            traveller.shift(timezone.timedelta(seconds=61))
            send(client)
        assert len(sms_outbox) == 3
        traveller.shift(timezone.timedelta(seconds=61))
        assert "验证码发送过于频繁" in send(client).content.decode()  # hourly cap
        assert len(sms_outbox) == 3
        traveller.shift(timezone.timedelta(hours=1))
        send(client)
        assert len(sms_outbox) == 4
    refused = SecurityAuditEvent.objects.filter(type=SecurityAuditEvent.Type.OTP, success=False)
    assert refused.count() == 2


@pytest.mark.django_db
def test_sending_is_rate_limited_per_ip(client, send, sms_outbox, settings):
    settings.PORTAL_OTP_PER_HOUR = 1  # per IP: four times the per-phone cap
    for n in range(4):
        send(client, phone=f"1360000{n:04d}")
    response = send(client, phone="13600009999")
    assert "验证码发送过于频繁" in response.content.decode()
    assert len(sms_outbox) == 4


@pytest.mark.django_db
def test_invalid_phone_is_refused_next_to_the_field(client, send, sms_outbox):
    response = send(client, phone="12345")
    assert "请输入 11 位手机号" in response.content.decode()
    assert 'value="12345"' in response.content.decode()
    assert sms_outbox == []


@pytest.mark.django_db
def test_sms_is_sent_only_after_commit(sms_outbox, monkeypatch):
    from cases.portal import services

    # The service runs in its own (durable) transaction, so the rollback comes from inside it: the
    # audit row, written after the SMS was handed over, fails.
    def fail(*args, **kwargs):
        assert SignInCode.objects.filter(phone=PHONE).exists() and sms_outbox == []
        raise RuntimeError("rolled back")

    monkeypatch.setattr(services, "record_security_event", fail)
    with pytest.raises(RuntimeError, match="rolled back"):
        services.request_sign_in_code(phone=PHONE, request=None)
    assert sms_outbox == [] and not SignInCode.objects.exists()


@pytest.mark.django_db
def test_sign_in_is_audited(client, send, sms_outbox):
    send(client)
    verify(client, "999999" if last_code(sms_outbox) != "999999" else "888888")
    verify(client, last_code(sms_outbox))
    rows = SecurityAuditEvent.objects.order_by("pk")
    assert [(r.type, r.success) for r in rows] == [
        ("otp", True),
        ("otp", False),
        ("otp", True),
        ("login", True),
    ]


@pytest.mark.django_db
def test_next_only_to_this_site(client, send, sms_outbox):
    send(client)
    response = client.post(
        URL,
        {"action": "verify", "phone": PHONE, "code": last_code(sms_outbox), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/portal/me/"


@pytest.mark.django_db
def test_citizen_pages_send_anonymous_users_to_sign_in(client):
    response = client.get("/portal/apply/")
    assert (
        response.status_code == 302 and response["Location"] == "/portal/sign-in/?next=%2Fportal%2Fapply%2F"
    )


def test_http_gateway_backend_posts_json(settings, monkeypatch):
    settings.SMS_GATEWAY_URL = "http://gateway.invalid/send"
    settings.SMS_GATEWAY_TOKEN = "secret-token"
    captured = {}

    class Response:
        status = 200

        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

    def fake_urlopen(request, timeout):
        captured["url"] = request.full_url
        captured["auth"] = request.get_header("Authorization")
        captured["body"] = request.data.decode()
        return Response()

    monkeypatch.setattr(sms.urllib.request, "urlopen", fake_urlopen)
    sent = sms.HTTPGatewaySMSBackend().send_messages([sms.SMSMessage("13600001234", "你好")])
    assert sent == 1
    assert captured["url"] == "http://gateway.invalid/send" and captured["auth"] == "Bearer secret-token"
    assert '"phone": "13600001234"' in captured["body"]


def test_console_backend_is_the_default(caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="accounts.sms"):
        assert sms.ConsoleSMSBackend().send_messages([sms.SMSMessage("13600001234", "验证码 123456")]) == 1
    assert "验证码 123456" in caplog.text
