"""Supervision orders, conferences and escalation notifications (in-app and e-mail after commit)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from kombu.exceptions import OperationalError

from cases.models import CaseConference, Notification, SupervisionOrder, TimelineEvent, WarningLevel
from cases.warnings.notifications import retry_pending_emails
from cases.warnings.services import (
    acknowledge_supervision_order,
    issue_supervision_order,
    record_case_conference,
    report_supervision_order,
    update_risk_factors,
)
from cases.warnings.sweep import sweep_due_cases
from cases.warnings.tasks import send_notification_email
from mediation_center.celery import app
from mediation_center.errors import DomainError, NotAllowed
from tests.cases.warnings_support import START, reload

pytestmark = pytest.mark.django_db
L = WarningLevel


@pytest.fixture
def eager_celery():
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture
def case(make_case, world):
    with time_machine.travel(START, tick=False):
        case = make_case()
        case.channel = world.channels["specialist"]
        case.save(update_fields=["channel"])
        return case


def test_order_lifecycle_and_its_effect_on_the_level(case, supervisor, mediator, other_mediator):
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        with pytest.raises(NotAllowed):
            issue_supervision_order(
                case,
                actor=mediator,
                recipient=mediator,
                instructions="x",
                deadline=START + dt.timedelta(days=2),
            )
        order = issue_supervision_order(
            case,
            actor=supervisor,
            recipient=mediator,
            instructions="三日内约谈双方并反馈",
            deadline=START + dt.timedelta(days=3),
        )
    assert Notification.objects.filter(user=mediator, kind="supervision", case=case).count() == 1
    assert reload(case).next_check_at == START + dt.timedelta(hours=25)  # the sign-for deadline
    # Not signed for within 24 hours: the sweep raises the case to orange.
    with time_machine.travel(START + dt.timedelta(hours=26), tick=False):
        sweep_due_cases()
    case = reload(case)
    assert case.warning_level == L.ORANGE
    with time_machine.travel(START + dt.timedelta(hours=27), tick=False):
        with pytest.raises(NotAllowed):
            acknowledge_supervision_order(order, actor=other_mediator)
        acknowledge_supervision_order(order, actor=mediator)
        assert reload(case).warning_level == L.BLUE
        with pytest.raises(DomainError):
            acknowledge_supervision_order(order, actor=mediator)
    # Past its deadline without a report: red.
    with time_machine.travel(START + dt.timedelta(days=3, hours=1), tick=False):
        sweep_due_cases()
        assert reload(case).warning_level == L.RED
        report_supervision_order(order, actor=mediator, report="已约谈，双方同意再次调解")
        assert reload(case).warning_level == L.BLUE
    order.refresh_from_db()
    assert order.state == SupervisionOrder.State.REPORTED
    assert Notification.objects.filter(user=supervisor, kind="supervision_report").exists()
    types = list(TimelineEvent.objects.filter(case=case).values_list("type", flat=True))
    assert types.count("supervision_issued") == types.count("supervision_acknowledged") == 1


def test_order_to_a_channel_reaches_its_mediators(case, supervisor, mediator, other_mediator):
    with time_machine.travel(START, tick=False):
        order = issue_supervision_order(
            case,
            actor=supervisor,
            channel=case.channel,
            instructions="请专调渠道跟进",
            deadline=START + dt.timedelta(days=1),
        )
        acknowledge_supervision_order(order, actor=mediator)
    assert Notification.objects.filter(user=mediator, kind="supervision").exists()
    assert not Notification.objects.filter(user=other_mediator).exists()


def test_conference_is_recorded_by_a_supervisor(case, supervisor, mediator):
    with pytest.raises(NotAllowed):
        record_case_conference(case, actor=mediator, held_at=START, participants="a", decisions="b")
    record_case_conference(
        case,
        actor=supervisor,
        held_at=START,
        participants="人社局、派出所、调解员",
        decisions="联合约谈企业负责人",
    )
    conference = CaseConference.objects.get(case=case)
    assert conference.decisions == "联合约谈企业负责人"
    assert TimelineEvent.objects.filter(case=case, type="conference_recorded").count() == 1


def test_escalation_notifies_in_app_and_by_email_after_commit(
    case,
    supervisor,
    mediator,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    supervisor.email = "lead@example.cn"
    supervisor.save(update_fields=["email"])
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            update_risk_factors(case, actor=mediator, risk_mass_incident=True)
        # Nothing is mailed inside the transaction...
        assert mail.outbox == []
        for callback in callbacks:
            callback()
    # ...and after commit the supervisor's mail goes out; the mediator has no address, in-app only.
    assert [m.to for m in mail.outbox] == [["lead@example.cn"]]
    assert "红色" in mail.outbox[0].subject
    sup = Notification.objects.get(user=supervisor, kind="escalation")
    assert sup.email_state == Notification.EmailState.SENT
    med = Notification.objects.get(user=mediator, kind="escalation")
    assert med.email_state == Notification.EmailState.NONE


def test_a_broker_outage_delays_but_loses_no_email(
    case,
    supervisor,
    mediator,
    eager_celery,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    supervisor.email = "lead@example.cn"
    supervisor.save(update_fields=["email"])

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(send_notification_email, "delay", broker_down)
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            update_risk_factors(case, actor=mediator, risk_violence=True)
    assert mail.outbox == []
    pending = Notification.objects.get(user=supervisor, kind="escalation")
    assert pending.email_state == Notification.EmailState.PENDING
    monkeypatch.undo()
    # The broker is back: the periodic sweep's outbox pass sends it, once.
    with time_machine.travel(START + dt.timedelta(hours=1, minutes=5), tick=False):
        assert retry_pending_emails() == 1
        assert retry_pending_emails() == 0
    assert len(mail.outbox) == 1
    send_notification_email(pending.pk)  # a duplicate delivery of the task sends nothing
    assert len(mail.outbox) == 1
