"""With the cache that holds the lock-out counters unreachable, a citizen's status lookup and code request
are refused with a message that says so (503 / a field message), never a 500, and nothing is sent."""

import pytest

from accounts.models import SecurityAuditEvent
from cases.models import SignInCode

UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}
MESSAGE = "查询与验证码服务暂时不可用"


@pytest.fixture
def cache_down(settings):
    settings.CACHES = UNREACHABLE
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


@pytest.mark.django_db
def test_status_lookup_with_the_cache_down_answers_503_with_a_message(client, make_case, cache_down):
    case = make_case()
    response = client.post("/portal/status/", {"code": case.tracking_code, "phone_last4": "5678"})
    assert response.status_code == 503
    body = response.content.decode()
    assert MESSAGE in body and case.number not in body  # refused, not shown unlimited


@pytest.mark.django_db
def test_code_request_with_the_cache_down_sends_nothing_and_says_why(client, sms_outbox, cache_down):
    response = client.post("/portal/sign-in/", {"phone": "13700137000"})
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not SignInCode.objects.filter(phone="13700137000").exists()
    assert not SecurityAuditEvent.objects.filter(username="13700137000", success=True).exists()
    assert sms_outbox == []
