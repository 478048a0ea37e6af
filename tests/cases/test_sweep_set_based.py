"""The sweep's set-based writer (PostgreSQL: the change rows and their events in one statement, the
notifications in one) records exactly what the portable form — the sweep as it was before issue 17 —
records, on the same data: change rows, timeline events, notifications and the cases' level columns."""

import datetime as dt
import threading
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, Notification, Status, TimelineEvent, WarningChange, WarningLevel
from cases.warnings import services as warnings
from cases.warnings.sweep import CASE_LEVEL_FIELDS, sweep_due_cases
from mediation_center.dialect import portable_sql
from tests.cases.warnings_support import START, local

L = WarningLevel
SWEEP_AT = local(2026, 3, 18, 9)  # labour's 15 days are over: every open case's clock is overdue


def _pair(make_case, supervisor, kind):
    """Two cases set up alike; the first is swept by the portable form, the second by the fast one."""
    cases = []
    for _ in range(2):
        # a case registered two weeks later is still blue at SWEEP_AT
        with time_machine.travel(START + dt.timedelta(days=14 if kind == "lower" else 0), tick=False):
            if kind == "risk":
                case = make_case(risk_violence=True, people_count=12)
            else:
                case = make_case()
        due = {"next_check_at": START}
        if kind == "manual":  # a supervisor's raise wins over the rules' red: the change names its actor
            with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
                warnings.raise_warning_level(case, actor=supervisor, level=L.RED, reason="当事人情绪激动")
            Case.objects.filter(pk=case.pk).update(warning_level=L.YELLOW, **due)
        elif kind == "risk":  # red by its risk from the start: stored blue, the sweep escalates it
            Case.objects.filter(pk=case.pk).update(warning_level=L.BLUE, **due)
        elif kind == "lower":  # stored higher than the rules give: the sweep lowers it (no notification)
            Case.objects.filter(pk=case.pk).update(warning_level=L.RED, **due)
        elif kind == "first":  # no level yet: the first level is a baseline change (a row, no event)
            Case.objects.filter(pk=case.pk).update(warning_level=L.NONE, **due)
        elif kind == "ended":  # ended with its level still set: the clearing is a baseline change too
            Case.objects.filter(pk=case.pk).update(status=Status.CLOSED, **due)
        cases.append(case)
    return cases


KINDS = ["overdue", "risk", "manual", "lower", "first", "ended"]


def _snapshot(case):
    case = Case.objects.get(pk=case.pk)
    number = case.number
    levels = tuple(getattr(case, name) for name in CASE_LEVEL_FIELDS)
    changes = list(
        WarningChange.objects.filter(case=case)
        .order_by("seq")
        .values_list(
            "seq", "from_level", "to_level", "basis", "reason", "actor_id", "response_due_at", "created_at"
        )
    )
    events = list(
        TimelineEvent.objects.filter(case=case)
        .order_by("pk")
        .values_list("type", "actor_id", "is_public", "data", "created_at")
    )
    notes = [
        (user, kind, title.replace(number, "N"), body, email_to, state)
        for user, kind, title, body, email_to, state in Notification.objects.filter(case=case)
        .order_by("pk")
        .values_list("user_id", "kind", "title", "body", "email_to", "email_state")
    ]
    return levels, changes, events, notes


def _sweep_half(cases, hidden, *, portable, batch_size=2000, workers=None):
    """Sweep ``cases`` while the ``hidden`` ones are kept out of the selection (not due)."""
    saved = dict(Case.objects.filter(pk__in=[c.pk for c in hidden]).values_list("pk", "next_check_at"))
    Case.objects.filter(pk__in=saved).update(next_check_at=None)
    with time_machine.travel(SWEEP_AT, tick=False):
        if portable:
            with portable_sql():
                recorded = sweep_due_cases(batch_size=batch_size)
        else:
            recorded = sweep_due_cases(batch_size=batch_size, workers=workers)
    for pk, at in saved.items():
        Case.objects.filter(pk=pk).update(next_check_at=at)
    return recorded


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_set_based_sweep_records_what_the_portable_sweep_records(make_case, supervisor, mediator):
    pairs = {kind: _pair(make_case, supervisor, kind) for kind in KINDS}
    old = [pair[0] for pair in pairs.values()]
    new = [pair[1] for pair in pairs.values()]
    recorded_old = _sweep_half(old, new, portable=True)
    recorded_new = _sweep_half(new, old, portable=False)
    assert recorded_old == recorded_new == len(KINDS)
    for kind, (a, b) in pairs.items():
        assert _snapshot(a) == _snapshot(b), kind
    # what the comparison covers: escalations with notifications, a person's raise, a lowering, baselines
    b = {kind: pair[1] for kind, pair in pairs.items()}
    assert Notification.objects.filter(case=b["overdue"], kind="escalation").exists()
    assert WarningChange.objects.filter(case=b["manual"], actor=supervisor).exists()
    assert not Notification.objects.filter(case=b["lower"]).exists()
    first = WarningChange.objects.filter(case=b["first"]).order_by("-seq").first()
    assert (first.from_level, first.to_level) == (L.NONE, L.RED)
    assert WarningChange.objects.filter(case=b["ended"], to_level=L.NONE).exists()
    for kind in ("first", "ended"):  # baseline changes: a row, no event of their own
        assert not TimelineEvent.objects.filter(case=b[kind], type="warning_level_changed").exists()
    # the timeline events keep their hash chains (records/): every chain verifies
    from records.integrity import verify

    assert verify().ok


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_batch_of_escalations_writes_its_rows_in_a_fixed_number_of_statements(make_case, supervisor):
    def sweep(n, at):
        with time_machine.travel(START, tick=False):
            for _ in range(n):
                make_case()
        with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as queries:
            assert sweep_due_cases() == n
        return [q["sql"] for q in queries.captured_queries]

    small, large = sweep(2, SWEEP_AT), sweep(15, SWEEP_AT + dt.timedelta(hours=1))
    assert len(small) == len(large)
    inserts = [sql for sql in large if "INSERT" in sql]
    # the change rows with their events in one statement, the notifications in one
    assert len(inserts) == 2
    assert Notification.objects.filter(kind="escalation").count() > 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_in_small_batches_the_set_based_sweep_records_the_same_once(make_case, supervisor, mediator):
    """Batches of two (the statements run once per batch): the same rows as the portable form, each
    escalation's notifications to the same people in the same order; a second sweep adds nothing."""
    pairs = [(kind, _pair(make_case, supervisor, kind)) for kind in KINDS + ["overdue", "risk"]]
    old = [pair[0] for _kind, pair in pairs]
    new = [pair[1] for _kind, pair in pairs]
    assert (
        _sweep_half(old, new, portable=True, batch_size=2)
        == _sweep_half(new, old, portable=False, batch_size=2)
        == len(pairs)
    )
    for kind, (a, b) in pairs:
        assert _snapshot(a) == _snapshot(b), kind
    notified = Notification.objects.filter(case__in=new, kind="escalation")
    assert notified.count() >= 4  # every escalated case of the batches notified
    _second_sweep_adds_nothing(new, batch_size=2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_connections_at_once_record_what_the_portable_sweep_records(make_case, supervisor, mediator):
    """Outside a transaction the sweep works with ``WARNING_SWEEP_WORKERS`` connections at once (each its
    own batches, SKIP LOCKED): the same rows, case by case, as the portable form one batch after another,
    each change once; the chains verify and a second sweep adds nothing."""
    pairs = [(kind, _pair(make_case, supervisor, kind)) for kind in KINDS * 3]
    old = [pair[0] for _kind, pair in pairs]
    new = [pair[1] for _kind, pair in pairs]
    threads = []
    real_start = threading.Thread.start

    def start(thread):
        threads.append(thread.name)
        real_start(thread)

    recorded_old = _sweep_half(old, new, portable=True, batch_size=4)
    with mock.patch.object(threading.Thread, "start", start):
        recorded_new = _sweep_half(new, old, portable=False, batch_size=4, workers=2)
    assert recorded_old == recorded_new == len(pairs)
    assert threads == ["sweep-1"]  # a second connection took part (batches of 2 each)
    for kind, (a, b) in pairs:
        assert _snapshot(a) == _snapshot(b), kind
    from records.integrity import verify

    assert verify().ok
    _second_sweep_adds_nothing(new, batch_size=4, workers=2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_idle_sweep_opens_no_second_connection(make_case):
    with time_machine.travel(START, tick=False):
        make_case()
    with mock.patch.object(threading.Thread, "start") as start, time_machine.travel(START, tick=False):
        assert sweep_due_cases(workers=2) == 0
    start.assert_not_called()


def _second_sweep_adds_nothing(cases, **sweep) -> None:
    """The swept cases made due again: a second sweep records no change, event or notification."""
    counts = (WarningChange.objects.count(), TimelineEvent.objects.count(), Notification.objects.count())
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(next_check_at=START)
    with time_machine.travel(SWEEP_AT, tick=False):
        assert sweep_due_cases(**sweep) == 0
    assert (
        WarningChange.objects.count(),
        TimelineEvent.objects.count(),
        Notification.objects.count(),
    ) == counts
