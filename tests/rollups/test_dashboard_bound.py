"""The dashboard's rollups read in one statement, its pending deltas bounded (``dashboard_rollups``).

- The one statement gives what the three former reads (``open_counts``, ``day_figures``,
  ``measures.measure_days``) gave, folded or not, on the fast and the portable SQL.
- Over a random sequence of services the dashboard's figures are the same before a fold, after the
  subtree's own fold (``fold_rollups(centers=…)``), after the reader folded them itself (a low bound) and
  after the sweep's full fold — and equal to the former reads over the cases.
- The reader folds only its subtree, only when more than the bound are pending, never inside a caller's
  transaction, and stops at its time limit; the figures stay exact in each case.
"""

import datetime as dt
import random

import pytest
import time_machine
from django.db import transaction

from cases.rollups import measures
from cases.rollups import selectors as rollups
from cases.rollups.models import MeasureDelta, RollupDelta
from cases.rollups.services import counted_from_cases, current_rollups, fold_rollups
from cases.warnings import selectors as s
from cases.warnings.sweep import sweep_due_cases
from mediation_center.dialect import OneOf, portable_sql
from tests.rollups.test_dashboard_rollups import NOW, _current, _former, generated
from tests.rollups.test_rollups import START, _step

pytestmark = pytest.mark.django_db
FIXTURES = (generated,)  # the generated data of the rollups' comparison, used here by name

DAYS = (dt.date(2026, 2, 1), dt.date(2026, 4, 30))
SPAN = (dt.date(2026, 3, 1), dt.date(2026, 4, 20))


def _subtree(supervisor) -> list[int]:
    return list(s.supervised_centers(supervisor).order_by("name").values_list("pk", flat=True))


def _three_reads(ids):
    return rollups.open_counts(ids), rollups.day_figures(ids, *DAYS), measures.measure_days(ids, *SPAN)


def _one_statement(ids, **kwargs):
    figures = rollups.read_dashboard_rollups(ids, DAYS, SPAN, bound=kwargs.get("bound"))
    return figures.counts, figures.days, figures.measure_days


def _plain(figures):
    """Comparable: zero day rows and zero measure days left out (either read may list them), defaultdicts
    as dicts."""
    counts, days, measure_days = figures
    return (
        counts,
        {day: row for day, row in days.items() if any(row.values())},
        {m: {day: v for day, v in per_day.items() if any(v)} for m, per_day in measure_days.items()},
    )


@pytest.mark.parametrize("folded", [False, True])
def test_one_statement_equals_the_three_reads(generated, supervisor, world, folded):
    if folded:
        fold_rollups()
    ids = _subtree(supervisor)
    with time_machine.travel(NOW, tick=False):
        expected = _plain(_three_reads(ids))
        assert _plain(_one_statement(ids)) == expected
        assert _plain(_one_statement(ids, bound=10**6)) == expected
        with portable_sql():
            assert _plain(_one_statement(ids)) == expected
        assert _plain(_one_statement([world.other_county.pk])) == _plain(
            _three_reads([world.other_county.pk])
        )
        assert _plain(_one_statement([])) == _plain(_three_reads([]))
    counts, days, measure_days = expected
    assert counts and any(row["money"] for row in days.values()) and any(measure_days.values())
    assert folded or RollupDelta.objects.filter(OneOf("center_id", ids)).count() > 10


def test_a_bounded_read_gives_up_past_the_bound(generated, supervisor):
    ids = _subtree(supervisor)
    pending = RollupDelta.objects.filter(OneOf("center_id", ids)).count()
    assert pending > 5
    assert rollups.read_dashboard_rollups(ids, DAYS, SPAN, bound=pending - 1) is None
    assert rollups.read_dashboard_rollups(ids, DAYS, SPAN, bound=pending) is not None
    measure_pending = MeasureDelta.objects.filter(OneOf("center_id", ids)).count()
    assert measure_pending > 1
    # only the measures' deltas pending now (the case rollups are left wrong: this test reads only the bound)
    RollupDelta.objects.filter(OneOf("center_id", ids)).delete()
    assert rollups.read_dashboard_rollups(ids, DAYS, SPAN, bound=measure_pending - 1) is None
    assert rollups.read_dashboard_rollups(ids, DAYS, SPAN, bound=measure_pending) is not None


def _shown(supervisor, period) -> dict:
    with time_machine.travel(NOW, tick=False):
        return _current(supervisor, period)


PERIODS = [
    s.Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    s.Period(dt.date(2026, 3, 20), dt.date(2026, 4, 20)),
]


@pytest.mark.parametrize("seed", [3, 4])
def test_figures_before_and_after_a_fold_over_random_services(
    seed, make_case, world, clerk, mediator, supervisor, foreign_clerk, monkeypatch
):
    """At checkpoints of a random walk of services: the dashboard's figures with every delta pending, after
    the subtree's own fold of a part, after the reader's own fold (bound 1) and after the full fold are the
    same, and equal the former reads over the cases."""
    rng = random.Random(seed)
    cases = []
    moment = START
    ids = None
    checked = reader_folds = 0
    for i in range(90):
        moment += dt.timedelta(hours=rng.choice([1, 5, 20]))  # the walk ends before NOW
        with time_machine.travel(moment, tick=False):
            _step(rng, cases, make_case, world, clerk, mediator, supervisor, moment, everything=True)
            if i % 20 == 5:
                make_case(center=world.other_county, actor=foreign_clerk)
            if i % 15 == 13:
                sweep_due_cases(now=moment + dt.timedelta(days=40))  # clocks run out: a wave of rises
        if i % 15 != 14:
            continue
        ids = ids or _subtree(supervisor)
        with time_machine.travel(NOW, tick=False):
            # the former reads over the cases, computed while every delta is pending
            former = [_former(supervisor, p) for p in PERIODS]
        before = [_shown(supervisor, p) for p in PERIODS]
        assert before == former
        pending = RollupDelta.objects.filter(OneOf("center_id", ids)).count()
        outside = RollupDelta.objects.exclude(OneOf("center_id", ids)).count()
        fold_rollups(centers=ids, chunk=max(1, pending // 3))  # the subtree's own fold, in small chunks
        assert not RollupDelta.objects.filter(OneOf("center_id", ids)).exists()
        assert RollupDelta.objects.exclude(OneOf("center_id", ids)).count() == outside  # others untouched
        assert [_shown(supervisor, p) for p in PERIODS] == before
        with time_machine.travel(moment, tick=False):  # more changes, then the reader folds them itself
            for _ in range(3):
                _step(rng, cases, make_case, world, clerk, mediator, supervisor, moment, everything=True)
        with time_machine.travel(NOW, tick=False):
            former = [_former(supervisor, p) for p in PERIODS]
        over = max(
            RollupDelta.objects.filter(OneOf("center_id", ids)).count(),
            MeasureDelta.objects.filter(OneOf("center_id", ids)).count(),
        )
        monkeypatch.setattr(rollups, "PENDING_BOUND", 1)
        monkeypatch.setattr(rollups, "FOLD_CHUNK", 2)
        assert [_shown(supervisor, p) for p in PERIODS] == former
        if over > 1:  # past the bound: the reader folded all of the subtree's deltas
            assert _deltas_of(ids) == 0
            reader_folds += 1
        monkeypatch.undo()
        fold_rollups()
        assert not RollupDelta.objects.exists() and not MeasureDelta.objects.exists()
        assert [_shown(supervisor, p) for p in PERIODS] == former
        assert current_rollups() == counted_from_cases() and measures.current() == measures.counted()
        checked += pending
    assert checked > 20 and reader_folds  # the subtree's folds had deltas to fold, the reader folded


def _deltas_of(ids) -> int:
    return (
        RollupDelta.objects.filter(OneOf("center_id", ids)).count()
        + MeasureDelta.objects.filter(OneOf("center_id", ids)).count()
    )


def test_the_reader_folds_its_subtree_past_the_bound(
    generated, supervisor, world, foreign_clerk, monkeypatch
):
    from cases.intake.services import register_case
    from tests.conftest import make_case_data

    register_case(center=world.other_county, actor=foreign_clerk, data=make_case_data())
    ids = _subtree(supervisor)
    pending = _deltas_of(ids)
    period = s.Period(dt.date(2026, 4, 1), dt.date(2026, 4, 20))
    unbounded = _shown(supervisor, period)
    assert _deltas_of(ids) == pending  # under the bound: nothing folded
    monkeypatch.setattr(rollups, "PENDING_BOUND", 5)
    monkeypatch.setattr(rollups, "FOLD_CHUNK", 7)
    assert _shown(supervisor, period) == unbounded
    assert _deltas_of(ids) == 0
    assert _deltas_of([world.other_county.pk]) > 0  # another county's deltas are left to the sweep


def test_inside_a_callers_transaction_the_reader_folds_nothing(generated, supervisor, monkeypatch):
    ids = _subtree(supervisor)
    pending = _deltas_of(ids)
    period = s.Period(dt.date(2026, 4, 1), dt.date(2026, 4, 20))
    expected = _shown(supervisor, period)
    monkeypatch.setattr(rollups, "PENDING_BOUND", 5)
    with transaction.atomic():
        assert _shown(supervisor, period) == expected
    assert _deltas_of(ids) == pending


def test_past_its_time_the_reader_reads_what_is_left(generated, supervisor, monkeypatch):
    ids = _subtree(supervisor)
    pending = _deltas_of(ids)
    period = s.Period(dt.date(2026, 4, 1), dt.date(2026, 4, 20))
    expected = _shown(supervisor, period)
    monkeypatch.setattr(rollups, "PENDING_BOUND", 5)
    monkeypatch.setattr(rollups, "FOLD_SECONDS", 0)
    assert _shown(supervisor, period) == expected
    assert _deltas_of(ids) == pending
    assert fold_rollups(centers=ids, seconds=0) == 0
