"""Admin per external system: secret shown once and rotatable, event types, on/off, test event; delivery log
with resend."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import ExternalSystem
from cases.integrations import services
from cases.integrations.models import OutboundEvent
from cases.integrations.receiver import Receiver
from tests.cases.open311_fixtures import make_system

CHANGELIST = reverse("admin:accounts_externalsystem_changelist")


@pytest.fixture
def system(world):
    return make_system(world.county)[0]


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_switching_events_on_sets_a_secret_shown_once(client, admin_user, system):
    client.force_login(admin_user)
    url = reverse("admin:accounts_externalsystem_change", args=[system.pk])
    page = client.get(url).content.decode()
    assert "未设置" in page and 'name="webhook_secret"' not in page
    form = {
        "code": system.code,
        "name": system.name,
        "user": system.user_id,
        "center": system.center_id,
        "source": system.source,
        "webhook_url": "https://hotline.example/hook",
        "webhook_event_types": ["concluded", "closed"],
        "webhook_enabled": "on",
    }
    response = client.post(url, form, follow=True)
    system.refresh_from_db()
    assert system.webhook_enabled and system.webhook_event_types == ["concluded", "closed"]
    assert system.webhook_secret.startswith("whsec_")
    assert any(system.webhook_secret in m for m in _messages(response))
    again = client.get(url).content.decode()
    assert system.webhook_secret not in again and system.webhook_secret[-4:] in again


def test_enabling_without_a_url_is_refused(client, admin_user, system):
    client.force_login(admin_user)
    url = reverse("admin:accounts_externalsystem_change", args=[system.pk])
    form = {"code": system.code, "name": system.name, "user": system.user_id, "center": system.center_id}
    response = client.post(url, {**form, "source": system.source, "webhook_enabled": "on"})
    assert response.status_code == 200 and "启用事件推送时须填写回调地址" in response.content.decode()
    system.refresh_from_db()
    assert not system.webhook_enabled


def test_rotate_and_send_test_event_actions(client, admin_user, system):
    receiver = Receiver("x").serve_in_thread()
    try:
        ExternalSystem.objects.filter(pk=system.pk).update(webhook_url=receiver.url, webhook_enabled=True)
        client.force_login(admin_user)
        response = client.post(
            CHANGELIST, {"action": "rotate_secret", "_selected_action": [system.pk]}, follow=True
        )
        system.refresh_from_db()
        assert any(system.webhook_secret in m for m in _messages(response))
        receiver.secret = system.webhook_secret
        client.post(CHANGELIST, {"action": "send_test", "_selected_action": [system.pk]})
        row = OutboundEvent.objects.get(system=system, type="test")
        services.deliver_case_events(system.pk, None)  # what the queued task does
        row.refresh_from_db()
        assert row.state == OutboundEvent.State.DELIVERED and receiver.events[0]["event_id"] == str(
            row.event_id
        )
    finally:
        receiver.close()


def test_delivery_log_lists_attempts_and_resends_parked(client, admin_user, system):
    ExternalSystem.objects.filter(pk=system.pk).update(
        webhook_url="http://127.0.0.1:9/none", webhook_enabled=True
    )
    system.refresh_from_db()
    row = services.send_test_event(system, actor=admin_user)
    OutboundEvent.objects.filter(pk=row.pk).update(state="parked", attempts=14, last_error="HTTP 500")
    client.force_login(admin_user)
    log_url = reverse("admin:cases_outboundevent_changelist")
    page = client.get(log_url, {"system__id__exact": system.pk}).content.decode()
    assert "HTTP 500" in page and "重新投递所选已搁置事件" in page
    client.post(log_url, {"action": "resend", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.state == OutboundEvent.State.PENDING and row.attempts == 0


def test_outsiders_do_not_reach_the_screens(client, clerk, system):
    client.force_login(clerk)
    assert client.get(CHANGELIST).status_code == 302
    assert client.get(reverse("admin:cases_outboundevent_changelist")).status_code == 302
