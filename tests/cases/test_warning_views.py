"""Case warning pages and API: allowed user, read-only user (403), outsider (404), wrong method (405)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseClock, CaseConference, Notification, Status, SupervisionOrder, WarningLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(make_case, world):
    case = make_case()
    # Routed: the clerk who registered it may still see it but no longer change it (read-only).
    case.channel = world.channels["specialist"]
    case.status = Status.ROUTED
    case.save(update_fields=["channel", "status"])
    return case


def _deadline(days=2):
    return timezone.localtime(timezone.now() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(("persona", "status"), [("supervisor", 200), ("clerk", 200), ("outsider", 404)])
def test_case_warnings_page_and_api_read(request, login, case, persona, status):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("cases:warnings_case", args=[case.pk])).status_code == status
    assert client.get(reverse("api-case-warnings", args=[case.pk])).status_code == status


def test_case_page_shows_the_warning_section(login, case, supervisor):
    html = login(supervisor).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="warning-section"' in html and "劳动争议调解期限" in html and "督办与预警处理" in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [("supervisor", 302), ("clerk", 403), ("mediator", 403), ("outsider", 404)],
)
def test_issue_order_by_persona(request, login, case, mediator, persona, status):
    client = login(request.getfixturevalue(persona))
    response = client.post(
        reverse("cases:warnings_issue_order", args=[case.pk]),
        {"recipient": mediator.pk, "instructions": "请于两日内反馈", "deadline": _deadline()},
    )
    assert response.status_code == status
    assert SupervisionOrder.objects.filter(case=case).count() == (1 if status == 302 else 0)
    assert client.get(reverse("cases:warnings_issue_order", args=[case.pk])).status_code in (405, 404)


def test_order_form_keeps_input_and_shows_chinese_errors(login, case, supervisor):
    response = login(supervisor).post(
        reverse("cases:warnings_issue_order", args=[case.pk]),
        {"instructions": "我写的督办要求", "deadline": "2020-01-01T10:00"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "我写的督办要求" in html and "办理期限必须晚于现在" in html and "请指定承办人或承办渠道" in html


@pytest.mark.parametrize(
    ("persona", "status"), [("supervisor", 302), ("clerk", 403), ("mediator", 403), ("outsider", 404)]
)
def test_raise_and_conference_by_persona(request, login, case, persona, status):
    client = login(request.getfixturevalue(persona))
    raised = client.post(reverse("cases:warnings_raise", args=[case.pk]), {"level": 4, "reason": "舆情"})
    conference = client.post(
        reverse("cases:warnings_conference", args=[case.pk]),
        {"held_at": "2026-03-02T10:00", "participants": "人社局", "decisions": "联合处置"},
    )
    assert (raised.status_code, conference.status_code) == (status, status)
    case.refresh_from_db()
    assert (case.warning_level == WarningLevel.RED) == (status == 302)
    assert CaseConference.objects.filter(case=case).exists() == (status == 302)


def test_recipient_acknowledges_and_reports(login, case, supervisor, mediator, other_mediator, outsider):
    login(supervisor).post(
        reverse("cases:warnings_issue_order", args=[case.pk]),
        {"recipient": mediator.pk, "instructions": "约谈", "deadline": _deadline()},
    )
    order = SupervisionOrder.objects.get(case=case)
    ack = reverse("cases:warnings_order_ack", args=[order.pk])
    assert login(outsider).post(ack).status_code == 404
    assert login(other_mediator).post(ack).status_code == 404  # cannot see a specialist-channel case
    assert login(supervisor).post(ack).status_code == 403  # not the recipient
    client = login(mediator)
    assert client.get(ack).status_code == 405
    assert client.post(ack).status_code == 302
    page = client.get(reverse("cases:warnings_case", args=[case.pk])).content.decode()
    assert "已签收" in page and "反馈办理情况" in page
    assert (
        client.post(reverse("cases:warnings_order_report", args=[order.pk]), {"report": "已办结"}).status_code
        == 302
    )
    order.refresh_from_db()
    assert order.state == SupervisionOrder.State.REPORTED and order.report == "已办结"


def test_clock_pause_and_extension_endpoints(login, case, supervisor, clerk, outsider):
    clock = CaseClock.objects.get(case=case, code="handling")
    CaseClock.objects.filter(pk=clock.pk).update(pausable=True, max_extensions=1, max_extension_length=10)
    pause = reverse("cases:warnings_clock_pause", args=[case.pk, clock.pk])
    extend = reverse("cases:warnings_clock_extend", args=[case.pk, clock.pk])
    assert login(outsider).post(pause, {"reason": "鉴定"}).status_code == 404
    assert login(clerk).post(pause, {"reason": "鉴定"}).status_code == 403
    client = login(supervisor)
    assert client.get(pause).status_code == 405
    assert client.post(pause, {"reason": "鉴定"}).status_code == 302
    assert client.post(pause, {"reason": "鉴定"}).status_code == 409  # already paused: message, not a crash
    assert client.post(reverse("cases:warnings_clock_resume", args=[case.pk, clock.pk])).status_code == 302
    before = CaseClock.objects.get(pk=clock.pk).due_at
    assert client.post(extend, {"length": 5, "reason": "需补充材料"}).status_code == 302
    assert CaseClock.objects.get(pk=clock.pk).due_at > before


@pytest.mark.parametrize(
    ("persona", "status"), [("supervisor", 201), ("clerk", 403), ("mediator", 403), ("outsider", 404)]
)
def test_api_issue_order(request, login, case, persona, status):
    client = login(request.getfixturevalue(persona))
    url = reverse("api-case-supervision-orders", args=[case.pk])
    body = {
        "channel": "specialist",
        "instructions": "请跟进",
        "deadline": (timezone.now() + dt.timedelta(days=1)).isoformat(),
    }
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == status
    if status != 201:
        assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert client.get(url).status_code == 405


def test_api_case_warnings_shows_clocks(login, case, supervisor):
    body = login(supervisor).get(reverse("api-case-warnings", args=[case.pk])).json()
    assert body["case"]["warning_level"] == WarningLevel.BLUE
    assert [c["code"] for c in body["clocks"]] == ["handling"]


def test_notifications_page(login, case, supervisor, mediator):
    login(supervisor).post(
        reverse("cases:warnings_issue_order", args=[case.pk]),
        {"recipient": mediator.pk, "instructions": "约谈当事人", "deadline": _deadline()},
    )
    client = login(mediator)
    html = client.get(reverse("cases:warnings_notifications")).content.decode()
    assert "督办单" in html and "约谈当事人" in html and "未读" in html
    assert client.post(reverse("cases:warnings_notifications_read")).status_code == 302
    assert not Notification.objects.filter(user=mediator, read_at__isnull=True).exists()
