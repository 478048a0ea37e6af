"""The set-based window sweep (a batch of rows per transaction: on PostgreSQL one conditional UPDATE with its
events in one statement, elsewhere the portable form) writes what the sweep wrote one row at a time
(``sweep_support.per_row_sweep``), on the same generated windows: the window rows and their marks, the
timeline events (type, actor, data, order in each case), their seals and the timeline hooks' rows."""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.core.models import TimelineEvent
from cases.lifecycle.models import Agreement
from courtlink import deadlines, events
from courtlink.deadlines import sweep_confirmation_windows
from courtlink.models import ConfirmationDeadline
from mediation_center.dialect import fast_paths, portable_sql
from records.integrity import verify
from records.models import TimelineSeal
from search.models import IndexQueue
from tests.courtlink.sweep_support import LATER, NOW, make_windows, per_row_sweep

pytestmark = pytest.mark.django_db
MARKS = (events.DEADLINE_WARNED.code, events.DEADLINE_LAPSED.code)
HIDDEN = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@contextmanager
def _hidden(agreements: list[Agreement]):
    """Keep ``agreements`` and their windows out of every sweep's selection, then put them back as they were."""
    ids = [a.pk for a in agreements]
    voided = list(Agreement.objects.filter(pk__in=ids, voided=True).values_list("pk", flat=True))
    applied = list(ConfirmationDeadline.objects.filter(agreement__in=ids).values_list("pk", "applied_at"))
    Agreement.objects.filter(pk__in=ids).update(voided=True)
    ConfirmationDeadline.objects.filter(agreement__in=ids).update(applied_at=HIDDEN)
    try:
        yield
    finally:
        Agreement.objects.filter(pk__in=ids).exclude(pk__in=voided).update(voided=False)
        for pk, at in applied:
            ConfirmationDeadline.objects.filter(pk=pk).update(applied_at=at)


def _snapshot(agreements: list[Agreement], queued_after: int) -> list:
    """What the sweeps left, with the world's own ids replaced by positions (two worlds compare)."""
    position = {a.pk: n for n, a in enumerate(agreements)}
    cases = list(dict.fromkeys(a.case_id for a in agreements))
    windows = {
        row["agreement_id"]: row
        for row in ConfirmationDeadline.objects.filter(agreement__in=position).values(
            "agreement_id", "effective_on", "due_on", "warn_on", "applied_at", "warned_at", "lapsed_at"
        )
    }
    shape = []
    for a in agreements:
        row = windows.get(a.pk)
        shape.append(None if row is None else {**row, "agreement_id": position[a.pk]})
    for n, case_id in enumerate(cases):
        timeline = []
        for type_, actor_id, is_public, data in (
            TimelineEvent.objects.filter(case_id=case_id, type__in=MARKS)
            .order_by("pk")
            .values_list("type", "actor_id", "is_public", "data")
        ):
            timeline.append((type_, actor_id, is_public, {**data, "agreement": position[data["agreement"]]}))
        marks = TimelineEvent.objects.filter(case_id=case_id, type__in=MARKS)
        sealed = TimelineSeal.objects.filter(event_id__in=marks.values("pk")).count()
        queued = IndexQueue.objects.filter(case_id=case_id, pk__gt=queued_after).count()
        shape.append((n, timeline, sealed, queued))
    return shape


def _sweeps(sweep) -> list[dict]:
    """The sweeps of the comparison: one, the same again (nothing twice), and six days later."""
    return [sweep(now=NOW).__dict__, sweep(now=NOW).__dict__, sweep(now=LATER).__dict__]


@pytest.mark.parametrize(
    ("portable", "batch_size"),
    [(False, deadlines.PER_SWEEP), (False, 3), (True, 3)],
    ids=["own-form", "own-form-batches-of-3", "portable-batches-of-3"],
)
def test_the_set_based_sweep_writes_what_the_per_row_sweep_wrote(make_case, portable, batch_size):
    old, new = make_windows(make_case), make_windows(make_case)
    queued_before = IndexQueue.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with _hidden(new):
        old_results = _sweeps(per_row_sweep)
    with _hidden(old):

        def sweep(now):
            if portable:
                with portable_sql():
                    return sweep_confirmation_windows(now=now, batch_size=batch_size)
            return sweep_confirmation_windows(now=now, batch_size=batch_size)

        new_results = _sweeps(sweep)
    assert new_results == old_results
    assert _snapshot(new, queued_before) == _snapshot(old, queued_before)
    # what the comparison covers: windows made, warned and lapsed, nothing the second time, each event sealed
    first, again, later = new_results
    assert first["created"] and first["warned"] and first["lapsed"]
    assert again == {"created": 0, "warned": 0, "lapsed": 0}
    assert later["warned"] and later["lapsed"]
    marks = TimelineEvent.objects.filter(case__in=[a.case_id for a in new], type__in=MARKS)
    assert marks.count() == sum(r["warned"] + r["lapsed"] for r in new_results)
    assert not marks.exclude(actor=None).exists()
    assert verify().ok


def test_a_failing_later_batch_keeps_the_batches_before_it(make_case, monkeypatch):
    made = make_windows(make_case)
    cases = [a.case_id for a in made]
    real, calls = deadlines._mark_batch, []

    def failing(mark, today, now, size):
        if mark is deadlines.LAPSE:
            calls.append(size)
            if len(calls) == 2:
                raise RuntimeError("the database went away")
        return real(mark, today, now, size)

    monkeypatch.setattr(deadlines, "_mark_batch", failing)
    with pytest.raises(RuntimeError):
        sweep_confirmation_windows(now=NOW, batch_size=2)
    # the backfill, the warnings and the first batch of lapses stay, each mark with its event
    windows = ConfirmationDeadline.objects.filter(agreement__in=made)
    assert (
        not Agreement.objects.filter(pk__in=[a.pk for a in made], voided=False, confirmation_window=None)
        .filter(effective_on__gte=NOW.date() - dt.timedelta(days=90))
        .exists()
    )
    assert (
        windows.filter(warned_at=NOW).count()
        == TimelineEvent.objects.filter(case__in=cases, type=events.DEADLINE_WARNED.code).count()
        > 0
    )
    assert windows.filter(lapsed_at=NOW).count() == 2
    assert TimelineEvent.objects.filter(case__in=cases, type=events.DEADLINE_LAPSED.code).count() == 2
    monkeypatch.undo()
    rest = sweep_confirmation_windows(now=NOW)
    assert rest.created == rest.warned == 0 and rest.lapsed > 0
    assert windows.filter(lapsed_at=NOW).count() == 2 + rest.lapsed
    assert (
        TimelineEvent.objects.filter(case__in=cases, type=events.DEADLINE_LAPSED.code).count()
        == 2 + rest.lapsed
    )
    assert verify().ok


def _due_windows(make_case, n: int) -> None:
    """``n`` cases, each with an agreement to backfill, a window due a warning and one due to lapse."""
    for _ in range(n):
        case = make_case()
        for days in (10, 27, 45):
            agreement = Agreement.objects.create(
                case=case,
                facts="事实",
                issues="争议",
                responsibilities="责任",
                effective_on=NOW.date() - dt.timedelta(days=days),
            )
            if days != 10:
                deadlines.ensure_window(agreement)


def test_a_batch_is_a_fixed_number_of_statements_whatever_its_size(make_case):
    """Per kind and batch: its select and, on PostgreSQL, its marks with their events in one statement (the
    portable form: the UPDATE, the read of what it marked, the insert). The timeline hooks write nothing for
    these events: the search index reads no timeline, so the two window events are unindexed."""

    def statements(n):
        _due_windows(make_case, n)
        with CaptureQueriesContext(connection) as captured:
            result = sweep_confirmation_windows(now=NOW)
        assert (result.created, result.warned, result.lapsed) == (n, n, n)
        sql = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
        assert not [q for q in sql if IndexQueue._meta.db_table in q]
        return len(sql)

    assert statements(2) == statements(12) == (6 if fast_paths(connection) else 11)
