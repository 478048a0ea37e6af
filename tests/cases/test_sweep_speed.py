"""The fast paths of warnings: the sweep on plain rows, its one-statement writer, a new case's first level
without reading anything back, and the cached reference data (calendar, thresholds, policies)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases.core.workcalendar import WorkCalendar, end_of_day, start_of_day
from cases.intake.services import register_case
from cases.models import (
    CalendarDay,
    Case,
    CaseClock,
    DisputeType,
    Notification,
    Source,
    Status,
    SupervisionOrder,
    WarningChange,
    WarningLevel,
    WarningSetting,
)
from cases.warnings import clocks as warnings_clocks
from cases.warnings import levels as warnings_levels
from cases.warnings import services as warnings
from cases.warnings import sweep as warnings_sweep
from cases.warnings import thresholds as warnings_thresholds
from cases.warnings.models import PolicyClock
from cases.warnings.services import issue_supervision_order
from cases.warnings.sweep import sweep_due_cases
from cases.warnings.thresholds import warning_settings
from mediation_center.dialect import update_rows
from tests.cases.warnings_support import START, local, reload
from tests.conftest import make_case_data

L = WarningLevel


def _register(make_case, n=1, **overrides):
    with time_machine.travel(START, tick=False):
        return [make_case(**overrides) for _ in range(n)]


# --- the writer ---------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("vendor", [pytest.param("postgresql", marks=pytest.mark.postgres), "fallback"])
def test_the_unnest_writer_and_its_fallback_write_the_same_rows(make_case, monkeypatch, vendor):
    if vendor == "fallback":  # what SQLite (the embedded default) runs: one UPDATE per row, executemany
        monkeypatch.setattr(connection, "vendor", "fallback-" + connection.vendor)
    a, b, untouched = _register(make_case, 3)
    before = Case.objects.values_list("updated_at", flat=True).get(pk=untouched.pk)
    moment = local(2026, 3, 20, 10, 30)
    rows = [
        (a.pk, L.ORANGE, L.YELLOW, L.RED, moment, None, moment + dt.timedelta(hours=1)),
        (b.pk, L.BLUE, L.BLUE, L.BLUE, None, moment, None),
    ]
    with CaptureQueriesContext(connection) as queries:
        assert update_rows(Case, warnings_sweep.CASE_LEVEL_FIELDS, rows) == 2
    assert len(queries.captured_queries) == 1
    got = {
        row[0]: row[1:]
        for row in Case.objects.filter(pk__in=[a.pk, b.pk]).values_list(
            "pk", *warnings_sweep.CASE_LEVEL_FIELDS
        )
    }
    assert got == {row[0]: row[1:] for row in rows}
    assert Case.objects.values_list("updated_at", flat=True).get(pk=untouched.pk) == before
    assert update_rows(Case, ["next_check_at"], []) == 0


# --- the sweep ------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_next_check_lands_on_the_next_threshold(make_case):
    (case,) = _register(make_case)
    clock = CaseClock.objects.get(case=case, code="handling")  # labour: 15 days, due Tue Mar 17 23:59:59
    yellow_at = clock.started_at + (clock.due_at - clock.started_at) * 0.8
    assert reload(case).next_check_at == yellow_at
    steps = [
        # (sweep at, level after, next check after)
        (yellow_at + dt.timedelta(minutes=1), L.YELLOW, start_of_day(dt.date(2026, 3, 17))),  # orange from
        (local(2026, 3, 17, 0, 1), L.ORANGE, end_of_day(dt.date(2026, 3, 17))),  # the due second
        (local(2026, 3, 18, 0, 1), L.RED, None),  # overdue: no later moment changes it
    ]
    for moment, level, next_check in steps:
        with time_machine.travel(moment, tick=False):
            assert sweep_due_cases() == 1
            assert sweep_due_cases() == 0  # not due again until the next threshold
        case = reload(case)
        assert (case.warning_level, case.next_check_at) == (level, next_check)


@pytest.mark.django_db
def test_next_check_includes_the_supervision_deadlines(make_case, supervisor, mediator):
    (case,) = _register(make_case)
    deadline = START + dt.timedelta(days=2)
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        issue_supervision_order(
            case, actor=supervisor, recipient=mediator, instructions="x", deadline=deadline
        )
    # acknowledge within 24 hours of issue: that is the next moment the level can change
    assert reload(case).next_check_at == START + dt.timedelta(hours=25)
    with time_machine.travel(START + dt.timedelta(hours=25, minutes=1), tick=False):
        assert sweep_due_cases() == 1
    case = reload(case)
    assert case.warning_level == L.ORANGE and case.next_check_at == deadline
    with time_machine.travel(deadline + dt.timedelta(minutes=1), tick=False):
        assert sweep_due_cases() == 1
    assert reload(case).warning_level == L.RED


@pytest.mark.django_db
def test_a_due_case_whose_level_stays_gets_only_its_next_check(make_case):
    due, other = _register(make_case, 2)
    right = reload(due).next_check_at
    Case.objects.filter(pk=due.pk).update(next_check_at=START)  # e.g. planned before a calendar edit
    before = Case.objects.values_list(*warnings_sweep.CASE_LEVEL_FIELDS).get(pk=due.pk)
    untouched = Case.objects.values_list("updated_at", *warnings_sweep.CASE_LEVEL_FIELDS).get(pk=other.pk)
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        assert sweep_due_cases() == 0
    after = Case.objects.values_list(*warnings_sweep.CASE_LEVEL_FIELDS).get(pk=due.pk)
    assert after[:-1] == before[:-1] and after[-1] == right  # next_check_at is the last level field
    assert WarningChange.objects.filter(case=due).count() == 1  # only the registration's blue
    assert (
        Case.objects.values_list("updated_at", *warnings_sweep.CASE_LEVEL_FIELDS).get(pk=other.pk)
        == untouched
    )


@pytest.mark.django_db
def test_the_sweep_reads_pauses_extensions_orders_and_raises_of_the_batch(make_case, supervisor, mediator):
    paused, extended, raised = _register(make_case, 3, dispute_type=DisputeType.objects.get(code="medical"))
    at = START + dt.timedelta(hours=1)
    with time_machine.travel(at, tick=False):
        warnings.pause_clock(CaseClock.objects.get(case=paused), actor=mediator, reason="鉴定")
        # medical clocks cannot be extended: give this one an extension by hand, as data
        clock = CaseClock.objects.get(case=extended)
        clock.max_extensions, clock.max_extension_length = 1, 30
        clock.save(update_fields=["max_extensions", "max_extension_length"])
        warnings.extend_clock(clock, actor=supervisor, length=5, reason="补充材料")
        warnings.raise_warning_level(raised, actor=supervisor, level=L.ORANGE, reason="当事人情绪激动")
    expected = {}
    later = START + dt.timedelta(days=3, hours=2)
    for case in (paused, extended, raised):
        # the reference: the one-case path on model instances (re-plan the clock, then the level)
        with time_machine.travel(later, tick=False), transaction.atomic():
            locked = Case.objects.select_for_update().get(pk=case.pk)
            clock = CaseClock.objects.prefetch_related("pauses", "extensions").get(case=case)
            if warnings_clocks.refresh_clock(clock, WorkCalendar(), later):
                clock.save(update_fields=["due_at", "provisional"])
            warnings_sweep.recompute_case(locked)
            expected[case.pk] = Case.objects.values_list(*warnings_sweep.CASE_LEVEL_FIELDS).get(pk=case.pk)
            expected[case.pk, "clock"] = CaseClock.objects.values_list("due_at", "provisional").get(case=case)
            transaction.set_rollback(True)
    Case.objects.filter(pk__in=[paused.pk, extended.pk, raised.pk]).update(next_check_at=START)
    with time_machine.travel(later, tick=False):
        sweep_due_cases()
    for case in (paused, extended, raised):
        assert (
            Case.objects.values_list(*warnings_sweep.CASE_LEVEL_FIELDS).get(pk=case.pk) == expected[case.pk]
        )
        clock = CaseClock.objects.values_list("due_at", "provisional").get(case=case)
        assert clock == expected[case.pk, "clock"]
    assert reload(raised).warning_level == L.ORANGE


# --- a new case's first level ---------------------------------------------------------------------------
CASES = [
    {},
    {"dispute_type": "medical"},  # working days
    {"source": Source.PETITION_SYSTEM},  # two clocks: acceptance notice and handling
    {"risk_violence": True, "people_count": 12},  # red at once: notifications
    {"status": Status.SUBMITTED},  # not accepted yet: only the registered-started clocks
]


def _snapshot(case):
    case = Case.objects.get(pk=case.pk)
    clocks = list(
        CaseClock.objects.filter(case=case)
        .order_by("code")
        .values_list("code", "name", "policy_clock_id", "started_at", "due_at", "provisional", "stopped_at")
    )
    changes = list(
        WarningChange.objects.filter(case=case).values_list(
            "seq", "from_level", "to_level", "basis", "reason", "actor_id", "response_due_at"
        )
    )
    notes = sorted(Notification.objects.filter(case=case).values_list("user_id", "kind", "body"))
    levels = [getattr(case, name) for name in warnings_sweep.CASE_LEVEL_FIELDS]
    return levels, clocks, changes, notes, list(case.events.values_list("type", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("overrides", CASES)
def test_a_new_case_gets_what_the_general_hook_would_give(
    world, clerk, supervisor, mediator, monkeypatch, overrides
):
    overrides = dict(overrides)
    if "dispute_type" in overrides:
        overrides["dispute_type"] = DisputeType.objects.get(code=overrides["dispute_type"])
    status = overrides.pop("status", Status.REGISTERED)

    def register():
        data = make_case_data(**overrides)
        return register_case(center=world.county, actor=clerk, data=data, status=status)

    with time_machine.travel(START, tick=False):
        fast = register()
        monkeypatch.setattr(
            warnings_sweep,
            "on_case_registered",
            lambda case, *, actor=None: warnings_sweep.on_case_changed(
                case, trigger="registered", actor=actor
            ),
        )
        general = register()
    assert _snapshot(fast) == _snapshot(general)


@pytest.mark.django_db
def test_registering_a_case_reads_nothing_back(make_case, django_assert_max_num_queries):
    _register(make_case)  # the center's number sequence exists, the reference data is cached
    with time_machine.travel(START, tick=False), CaptureQueriesContext(connection) as queries:
        make_case()
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    # the test's savepoint, the number, the case, its parties, its event, the search index's row and keys
    # (search/indexer.py, in the same transaction), its clock, its level, its change
    assert statements.count("SELECT") == 1  # make_case's dispute type (test data), nothing of the case's
    assert len(statements) <= 12


# --- reference data -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_thresholds_are_read_once_then_from_the_cache(django_assert_num_queries):
    warning_settings()
    with django_assert_num_queries(0):
        assert warning_settings()["risk_people_orange"] == 10


@pytest.mark.django_db
def test_an_edited_threshold_applies_at_once(make_case):
    warning_settings()
    setting = WarningSetting.objects.get(key="risk_people_orange")
    setting.value = 20  # as the admin saves it
    setting.save()
    assert warning_settings()["risk_people_orange"] == 20
    with time_machine.travel(START, tick=False):
        case = make_case(people_count=12)
    assert case.risk_level == L.YELLOW


@pytest.mark.django_db
def test_an_edited_policy_applies_to_the_next_case(make_case):
    _register(make_case)
    policy_clock = PolicyClock.objects.get(policy__code="labour", code="handling")
    policy_clock.length = 20
    policy_clock.save()
    (case,) = _register(make_case)
    assert CaseClock.objects.get(case=case, code="handling").due_at == end_of_day(dt.date(2026, 3, 23))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_committed_calendar_edit_reaches_every_reader():
    day = dt.date(2026, 3, 20)  # a Friday
    assert WorkCalendar().is_workday(day)  # cached now
    with transaction.atomic():
        CalendarDay.objects.update_or_create(
            date=day, defaults={"is_workday": False, "name": "地方调整", "source": CalendarDay.Source.ADMIN}
        )
        assert not WorkCalendar().is_workday(day)  # the writing transaction reads its own edit
    assert not WorkCalendar().is_workday(day)  # and, once committed, everyone does
    CalendarDay.objects.filter(date=day).delete()
    assert WorkCalendar().is_workday(day)
    with transaction.atomic():  # an edit rolled back leaves nothing of itself in the cache
        CalendarDay.objects.create(date=day, is_workday=False, name="x", source=CalendarDay.Source.ADMIN)
        assert not WorkCalendar().is_workday(day)
        transaction.set_rollback(True)
    assert WorkCalendar().is_workday(day)


def test_supervision_rows_and_instances_give_the_same_level():
    now = START
    values = {key: default for key, (default, _label) in warnings_thresholds.SETTING_DEFAULTS.items()}
    order = SupervisionOrder(
        state=SupervisionOrder.State.ISSUED,
        deadline=now + dt.timedelta(days=1),
        created_at=now - dt.timedelta(days=2),
    )

    class Row:
        state, deadline, created_at = order.state, order.deadline, order.created_at

    assert warnings_levels.supervision_level_of([order], values, now) == warnings_levels.supervision_level_of(
        [Row], values, now
    )
    assert warnings_levels.supervision_level_of([order], values, now)[0] == L.ORANGE


@pytest.mark.django_db
def test_without_the_cache_reference_data_comes_from_the_database(make_case, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert warning_settings()["risk_people_orange"] == 10
    assert not WorkCalendar().is_workday(dt.date(2026, 2, 17))  # Spring Festival
    (case,) = _register(make_case)
    assert reload(case).warning_level == L.BLUE
