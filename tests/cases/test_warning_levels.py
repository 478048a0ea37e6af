"""Level computation: clocks started at registration, risk thresholds, time shares, response deadlines."""

import datetime as dt

import pytest
import time_machine

from cases.core.events import LEVEL_CHANGED
from cases.core.workcalendar import end_of_day
from cases.models import CaseClock, DisputeType, TimelineEvent, WarningChange, WarningLevel, WarningSetting
from cases.warnings.services import raise_warning_level
from cases.warnings.sweep import on_case_changed, sweep_due_cases
from mediation_center.errors import NotAllowed
from tests.cases.warnings_support import START, local, reload

pytestmark = pytest.mark.django_db
L = WarningLevel


@pytest.fixture
def labour_case(make_case):
    with time_machine.travel(START, tick=False):
        return make_case()  # labour: the 15-day labour mediation clock applies


def test_registration_starts_the_legal_clock_and_sets_blue(labour_case):
    clock = CaseClock.objects.get(case=labour_case, code="handling")
    assert clock.name == "劳动争议调解期限" and clock.length == 15
    # Registration still writes one timeline event: the blue baseline is a change row, not news.
    assert list(labour_case.events.values_list("type", flat=True)) == ["registered"]
    assert WarningChange.objects.filter(case=labour_case, to_level=L.BLUE).count() == 1
    # Mon Mar 2 + 15 days = Tue Mar 17 (a working day), whole day.
    assert clock.due_at == end_of_day(dt.date(2026, 3, 17))
    assert (labour_case.warning_level, labour_case.risk_level, labour_case.time_level) == (
        L.BLUE,
        L.BLUE,
        L.BLUE,
    )
    assert labour_case.due_at == clock.due_at
    # Blue response: 3 days, end of day.
    assert labour_case.response_due_at == end_of_day(dt.date(2026, 3, 5))
    # Next look: when 80% of the time is used.
    assert labour_case.next_check_at == clock.started_at + (clock.due_at - clock.started_at) * 0.8


def test_most_specific_policy_wins_per_clock(make_case, world):
    with time_machine.travel(START, tick=False):
        medical = make_case(dispute_type=DisputeType.objects.get(code="medical"))
        other = make_case(dispute_type=DisputeType.objects.get(code="family"))
    assert CaseClock.objects.get(case=medical, code="handling").unit == "working_days"
    general = CaseClock.objects.get(case=other, code="handling")
    assert (general.length, general.unit, general.name) == (30, "calendar_days", "调解期限")
    # Routed to the petition channel: the 60-day petition rule now applies to the running clock.
    other.channel = world.channels["petition"]
    other.save(update_fields=["channel"])
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        on_case_changed(other, trigger="assigned")
    general.refresh_from_db()
    assert (general.length, general.name) == (60, "信访事项办理")
    assert general.due_at == end_of_day(
        dt.date(2026, 5, 6)
    )  # Mar 2 + 60 = May 1, Labour Day holiday to May 5
    assert general.max_extensions == 1


@pytest.mark.parametrize(
    ("overrides", "level"),
    [
        ({"people_count": 3}, L.YELLOW),
        ({"people_count": 12}, L.ORANGE),
        ({"amount": 1_500_000}, L.RED),
        ({"police_calls": 2}, L.ORANGE),
        ({"risk_upward_petition": True}, L.ORANGE),
        ({"risk_violence": True}, L.RED),
        ({"risk_mass_incident": True}, L.RED),
    ],
)
def test_risk_thresholds(make_case, overrides, level):
    with time_machine.travel(START, tick=False):
        case = make_case(**overrides)
    assert case.risk_level == level and case.warning_level == level
    # The first level is part of the registration: a change row with what set it, not a second event.
    change = WarningChange.objects.get(case=case)
    assert (change.to_level, change.actor_id, change.basis) == (level, None, "risk")
    assert change.reason and change.response_due_at is not None
    assert not case.events.filter(type=LEVEL_CHANGED.code).exists()


def test_thresholds_are_settings_rows(make_case):
    WarningSetting.objects.filter(key="risk_people_orange").update(value=20)
    with time_machine.travel(START, tick=False):
        case = make_case(people_count=12)
    assert case.risk_level == L.YELLOW


def test_time_level_rises_with_the_share_used_then_overdue(labour_case):
    clock = CaseClock.objects.get(case=labour_case, code="handling")
    seen = []
    # Due Tue Mar 17 23:59:59; 80% of the 15 d 15 h is reached Sat Mar 14 at 21:00 -> yellow;
    # less than one working day left from Tue Mar 17 00:00 -> orange; after the due second -> red.
    moments = [
        local(2026, 3, 14, 20),
        local(2026, 3, 14, 21, 1),
        local(2026, 3, 16, 23),
        local(2026, 3, 17, 0, 1),
    ]
    moments.append(local(2026, 3, 18, 0, 1))
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            sweep_due_cases()
        seen.append(reload(labour_case).time_level)
    assert seen == [L.BLUE, L.YELLOW, L.YELLOW, L.ORANGE, L.RED]
    assert labour_case.warning_level == L.RED
    # Red response: the same day.
    assert labour_case.response_due_at == end_of_day(dt.date(2026, 3, 18))
    changes = list(WarningChange.objects.filter(case=labour_case).order_by("seq"))
    assert [(c.from_level, c.to_level, c.basis) for c in changes] == [
        (L.NONE, L.BLUE, "risk"),  # every open case starts blue (latent risk)
        (L.BLUE, L.YELLOW, "time"),
        (L.YELLOW, L.ORANGE, "time"),
        (L.ORANGE, L.RED, "time"),
    ]
    assert "已逾期" in changes[-1].reason and clock.name in changes[-1].reason
    events = TimelineEvent.objects.filter(case=labour_case, type=LEVEL_CHANGED.code)
    assert [e.data["to"] for e in events.order_by("pk")] == [
        L.YELLOW,
        L.ORANGE,
        L.RED,
    ]  # the blue baseline is not news


@time_machine.travel(START + dt.timedelta(hours=1), tick=False)
def test_supervisor_raises_by_hand_with_a_reason(labour_case, supervisor, mediator):
    with pytest.raises(NotAllowed):
        raise_warning_level(labour_case, actor=mediator, level=L.RED, reason="x")
    raise_warning_level(labour_case, actor=supervisor, level=L.RED, reason="当事人扬言上访")
    case = reload(labour_case)
    assert case.warning_level == L.RED and case.time_level == L.BLUE
    change = WarningChange.objects.filter(case=case).latest("seq")
    assert (change.basis, change.actor, change.reason) == ("manual", supervisor, "当事人扬言上访")
    event = TimelineEvent.objects.filter(case=case, type=LEVEL_CHANGED.code).first()
    assert event.data["set_by"] == "person" and event.actor == supervisor
