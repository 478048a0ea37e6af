from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityAuditEvent


def _post_login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_records_audit_and_lands_on_home(client, clerk, password):
    response = _post_login(client, "clerk", password)
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("accounts:home")
    event = SecurityAuditEvent.objects.get(type="login")
    assert event.user == clerk and event.success


def test_wrong_password_shows_chinese_error_and_is_audited(client, clerk):
    response = _post_login(client, "clerk", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert (
        SecurityAuditEvent.objects.filter(type="login_failed", username="clerk", success=False).count() == 1
    )


def test_five_failures_lock_the_account_for_ten_minutes(client, clerk, password):
    for _ in range(5):
        _post_login(client, "clerk", "wrong")
    locked = _post_login(client, "clerk", password)
    assert locked.status_code == 429
    assert "账户已锁定" in locked.content.decode()
    assert SecurityAuditEvent.objects.filter(type="locked_out", username="clerk").exists()
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert _post_login(client, "clerk", password).status_code == 302


def test_idle_session_expires_after_ten_minutes(client, clerk, password):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _post_login(client, "clerk", password)
        assert client.get(reverse("accounts:home")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=9), tick=False):
        assert client.get(reverse("accounts:home")).status_code == 200  # activity resets the clock
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        response = client.get(reverse("accounts:home"))
        assert response.status_code == 302
        assert response.headers["Location"].startswith(reverse("accounts:login"))
    assert SecurityAuditEvent.objects.filter(type="idle_logout", user=clerk).exists()


def test_logout_is_post_only_and_audited(login, clerk):
    client = login(clerk)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert SecurityAuditEvent.objects.filter(type="logout", user=clerk).exists()
    assert client.get(reverse("accounts:home")).status_code == 302


@pytest.mark.parametrize("weak", ["short1A", "alllowercase", "lowercase123", "ALLUPPER123"])
def test_password_rules_refuse_weak_passwords(weak, db):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_password_rules_accept_three_classes(db):
    validate_password("Mediation2026")


def test_audit_log_is_for_admins_and_read_only(login, admin_user, clerk):
    client = login(admin_user)
    response = client.get(reverse("accounts:audit_log"))
    assert response.status_code == 200
    assert client.post(reverse("accounts:audit_log")).status_code == 405
    assert client.get("/admin/accounts/securityauditevent/add/").status_code == 403
    assert client.get("/admin/accounts/securityauditevent/").status_code == 200
    assert login(clerk).get(reverse("accounts:audit_log")).status_code == 403
