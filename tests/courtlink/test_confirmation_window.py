"""The judicial-confirmation window as a database timer: made when the agreement takes effect, warned once
N days before it closes and noted once when it passed unapplied, however often the sweep runs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.access import roles_of
from cases.core.models import TimelineEvent
from courtlink import events
from courtlink.deadlines import sweep_confirmation_windows
from courtlink.models import ConfirmationDeadline
from courtlink.selectors import work_counts
from courtlink.tasks import sweep_confirmation_windows as sweep_task

pytestmark = pytest.mark.django_db


def _count(case, event):
    return TimelineEvent.objects.filter(case=case, type=event.code).count()


def test_the_window_row_is_made_when_the_agreement_takes_effect(concluded_case, settings):
    row = ConfirmationDeadline.objects.get(case=concluded_case)
    agreement = row.agreement
    assert row.due_on == agreement.confirmation_deadline
    assert row.warn_on == row.due_on - timedelta(days=settings.COURTLINK_WARN_DAYS_BEFORE)


def test_sweep_warns_once_then_notes_the_lapse_once(concluded_case, mediator, time_machine):
    row = ConfirmationDeadline.objects.get(case=concluded_case)
    assert sweep_confirmation_windows().warned == 0  # not due yet
    assert work_counts(mediator, roles_of(mediator), None) == {"court_windows_due": 0}
    time_machine.move_to(
        timezone.make_aware(timezone.datetime.combine(row.warn_on, timezone.datetime.min.time()))
        + timedelta(hours=12)
    )
    first, second = sweep_confirmation_windows(), sweep_task()
    assert first.warned == 1 and second["warned"] == 0
    assert _count(concluded_case, events.DEADLINE_WARNED) == 1
    event = TimelineEvent.objects.get(case=concluded_case, type=events.DEADLINE_WARNED.code)
    assert event.actor is None and event.data["reason"] == "sweep"
    mediator = type(mediator).objects.get(pk=mediator.pk)
    assert work_counts(mediator, roles_of(mediator), None) == {"court_windows_due": 1}
    time_machine.move_to(
        timezone.make_aware(timezone.datetime.combine(row.due_on, timezone.datetime.min.time()))
        + timedelta(days=1, hours=12)
    )
    assert sweep_confirmation_windows().lapsed == 1
    assert sweep_confirmation_windows().lapsed == 0
    assert _count(concluded_case, events.DEADLINE_LAPSED) == 1
    assert _count(concluded_case, events.DEADLINE_WARNED) == 1
    row.refresh_from_db()
    assert row.warned_at and row.lapsed_at


def test_an_applied_window_is_neither_warned_nor_lapsed(concluded_case, time_machine):
    ConfirmationDeadline.objects.filter(case=concluded_case).update(applied_at=timezone.now())
    time_machine.move_to(timezone.now() + timedelta(days=45))
    result = sweep_confirmation_windows()
    assert (result.warned, result.lapsed) == (0, 0)
    assert _count(concluded_case, events.DEADLINE_LAPSED) == 0


def test_the_sweep_backfills_a_missing_row_once(concluded_case):
    ConfirmationDeadline.objects.all().delete()
    assert sweep_confirmation_windows().created == 1
    assert sweep_confirmation_windows().created == 0
    assert ConfirmationDeadline.objects.filter(case=concluded_case).count() == 1
