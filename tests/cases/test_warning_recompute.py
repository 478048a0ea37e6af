"""Any change that affects the level recomputes it at once, in the same transaction."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from cases.core.workcalendar import end_of_day
from cases.models import CaseClock, DisputeType, Status, TimelineEvent, WarningChange, WarningLevel
from cases.warnings.services import extend_clock, pause_clock, resume_clock, update_risk_factors
from cases.warnings.sweep import on_case_changed
from mediation_center.errors import DomainError, NotAllowed
from tests.cases.warnings_support import START, local, reload

pytestmark = pytest.mark.django_db
L = WarningLevel


@pytest.fixture
def case(make_case):
    with time_machine.travel(START, tick=False):
        return make_case()


@time_machine.travel(START + dt.timedelta(hours=2), tick=False)
def test_risk_flag_edit_turns_the_case_red_in_the_same_transaction(case, mediator):
    with transaction.atomic():
        update_risk_factors(case, actor=mediator, risk_violence=True)
        # Inside the transaction that made the edit, the level is already red and recorded once.
        assert reload(case).warning_level == L.RED
        assert WarningChange.objects.filter(case=case, to_level=L.RED).count() == 1
    assert case.response_due_at == end_of_day(START.date())
    assert TimelineEvent.objects.filter(case=case, type="risk_updated").count() == 1


def test_a_pause_is_excluded_and_resumes_the_clock_later(make_case, mediator):
    with time_machine.travel(START, tick=False):
        medical = make_case(dispute_type=DisputeType.objects.get(code="medical"))
    clock = CaseClock.objects.get(case=medical, code="handling")
    # 30 working days from Mon Mar 2: Apr 3 is Qingming eve? Mon Mar 2 + 30 working days = Tue Apr 14 (Apr 4-6 off).
    assert clock.due_at == end_of_day(dt.date(2026, 4, 14))
    with time_machine.travel(local(2026, 3, 3, 10), tick=False):
        pause_clock(clock, actor=mediator, reason="医疗损害鉴定")
    with time_machine.travel(local(2026, 3, 10, 15), tick=False):
        resume_clock(clock, actor=mediator)
    clock.refresh_from_db()
    # Working days inside the pause (Mar 4,5,6,9,10) are added: five more working days.
    assert clock.due_at == end_of_day(dt.date(2026, 4, 21))
    assert reload(medical).due_at == clock.due_at
    public = TimelineEvent.objects.filter(
        case=medical, type__in=["clock_paused", "clock_resumed"], is_public=True
    )
    assert public.count() == 2


def test_clock_that_may_not_pause_refuses(case, mediator):
    clock = CaseClock.objects.get(case=case, code="handling")
    with pytest.raises(DomainError):
        pause_clock(clock, actor=mediator, reason="鉴定")


def test_an_approved_extension_moves_the_deadline_and_lowers_the_level(
    make_case, world, supervisor, mediator
):
    with time_machine.travel(START, tick=False):
        petition = make_case(dispute_type=DisputeType.objects.get(code="family"))
        petition.channel = world.channels["petition"]
        petition.save(update_fields=["channel"])
        on_case_changed(petition, trigger="assigned")
    clock = CaseClock.objects.get(case=petition, code="handling")
    assert clock.due_at == end_of_day(dt.date(2026, 5, 6))
    with time_machine.travel(local(2026, 5, 6, 10), tick=False):
        on_case_changed(petition)
        assert reload(petition).time_level == L.ORANGE
        with pytest.raises(NotAllowed):
            extend_clock(clock, actor=mediator, length=30, reason="x")
        with pytest.raises(DomainError):
            extend_clock(clock, actor=supervisor, length=31, reason="超过上限")
        extend_clock(clock, actor=supervisor, length=30, reason="需多部门联合核查")
        assert reload(petition).time_level == L.BLUE
        with pytest.raises(DomainError):  # one extension only
            extend_clock(clock, actor=supervisor, length=5, reason="再次延长")
    clock.refresh_from_db()
    assert clock.due_at == end_of_day(dt.date(2026, 5, 31) + dt.timedelta(days=1))  # May 31 is a Sunday
    event = TimelineEvent.objects.get(case=petition, type="clock_extended")
    assert event.is_public and event.data["reason"] == "需多部门联合核查"


def test_closing_stops_the_clocks_and_clears_the_level(case):
    with time_machine.travel(local(2026, 3, 10), tick=False):
        case.status = Status.CLOSED
        case.closed_at = local(2026, 3, 10)
        case.save(update_fields=["status", "closed_at"])
        on_case_changed(case, trigger="closed")
    case = reload(case)
    assert case.warning_level == L.NONE and case.next_check_at is None and case.due_at is None
    clock = CaseClock.objects.get(case=case, code="handling")
    assert clock.stopped_at == local(2026, 3, 10) and clock.stop_reason == "closed"


def test_agreement_effective_starts_the_judicial_confirmation_clock(case):
    with time_machine.travel(local(2026, 3, 9), tick=False):
        on_case_changed(case, trigger="agreement_effective")
    clock = CaseClock.objects.get(case=case, code="judicial-confirmation")
    assert clock.due_at == end_of_day(dt.date(2026, 4, 8))
