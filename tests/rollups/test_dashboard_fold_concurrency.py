"""The dashboard's own fold beside the sweep's, on PostgreSQL: no delta lost, none counted twice.

Two transactions fold deltas of the same center at once: one holds its chunk uncommitted (its deltas
locked, the rollup rows it incremented locked) while the other folds — the sweep's full fold or the
dashboard's fold of the subtree. The second skips the first's deltas and waits for its rollup rows; the
first then commits or rolls back. Afterwards the rollups equal a full recount, before and after a last fold.
A dashboard read whose fold would wait past its time gives up the fold and reads the pending deltas (the
same figures). And writers, the sweep's folds and readers that fold, all at once.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from cases.core.models import Case
from cases.rollups import selectors as rollups
from cases.rollups.models import RollupDelta
from cases.rollups.services import (
    DELTA_COLUMNS,
    _fold,
    _fold_chunk,
    counted_from_cases,
    current_rollups,
    fold_rollups,
)
from mediation_center.dialect import OneOf
from tests.conftest import make_case_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Rollback(Exception):
    pass


def _plain(figures: rollups.DashboardRollups):
    """Comparable: the day and measure rows that sum to zero left out (a fold may leave them out)."""
    return (
        figures.counts,
        {day: row for day, row in figures.days.items() if any(row.values())},
        {m: {day: v for day, v in rows.items() if any(v)} for m, rows in figures.measure_days.items()},
    )


def _deltas(world, clerk, n: int = 20) -> list[int]:
    from cases.intake.services import register_case

    cases = [register_case(center=world.county, actor=clerk, data=make_case_data()) for _ in range(n)]
    Case.objects.filter(pk__in=[c.pk for c in cases[::2]]).update(warning_level=3)  # −1 / +1 each
    return [world.county.pk, world.town.pk, world.village.pk]


def _hold_a_chunk(ids, size: int, folded: threading.Event, release: threading.Event, outcome: str, out: dict):
    """Fold ``size`` deltas of ``ids`` in a transaction left open until ``release``; then commit or roll back."""
    try:
        with transaction.atomic(durable=True):
            out["held"] = _fold_chunk(RollupDelta, DELTA_COLUMNS, _fold, ids, size)
            folded.set()
            release.wait(30)
            if outcome == "rollback":
                raise Rollback
    except Rollback:
        pass
    except Exception as error:  # noqa: BLE001 - reported by the test
        out["error"] = error
        folded.set()
    finally:
        connection.close()


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
@pytest.mark.parametrize("second", ["sweep", "dashboard"])
def test_two_folds_of_one_center_at_once(world, clerk, outcome, second):
    ids = _deltas(world, clerk)
    pending = RollupDelta.objects.filter(OneOf("center_id", ids)).count()
    assert pending > 20  # a registration writes a few (its insert, then its own updates)
    expected = counted_from_cases()
    folded, release, out = threading.Event(), threading.Event(), {}
    holder = threading.Thread(target=_hold_a_chunk, args=(ids, 10, folded, release, outcome, out))
    holder.start()
    assert folded.wait(30) and "error" not in out and out["held"] == 10

    def fold():
        try:
            if second == "sweep":
                out["second"] = fold_rollups()
            else:
                out["second"] = fold_rollups(centers=ids, chunk=7, seconds=30)
        except Exception as error:  # noqa: BLE001
            out["error"] = error
        finally:
            connection.close()

    folder = threading.Thread(target=fold)
    folder.start()
    time.sleep(0.5)
    waited = folder.is_alive()  # the second waits for the rollup rows the first incremented
    release.set()
    holder.join(30)
    folder.join(30)
    assert "error" not in out, out
    assert waited
    # it took every delta but the held ones (and, once they were rolled back, a later chunk may take them)
    assert out["second"] >= pending - 10
    left = RollupDelta.objects.filter(OneOf("center_id", ids)).count()
    assert (10 if outcome == "commit" else 0) + out["second"] + left == pending  # each folded once, or left
    assert current_rollups() == expected
    assert fold_rollups() == left
    assert current_rollups() == expected == counted_from_cases()


def test_a_reader_whose_fold_would_wait_reads_the_pending_deltas(world, clerk, monkeypatch):
    import datetime as dt

    ids = _deltas(world, clerk)
    today = timezone.localdate()
    days = (today - dt.timedelta(days=40), today + dt.timedelta(days=1))
    before = _plain(rollups.read_dashboard_rollups(ids, days, days, bound=None))
    folded, release, out = threading.Event(), threading.Event(), {}
    holder = threading.Thread(target=_hold_a_chunk, args=(ids, 10, folded, release, "commit", out))
    holder.start()
    try:
        assert folded.wait(30) and "error" not in out
        monkeypatch.setattr(rollups, "PENDING_BOUND", 3)
        monkeypatch.setattr(rollups, "FOLD_SECONDS", 0.5)
        start = time.monotonic()
        during = _plain(rollups.dashboard_rollups(ids, days, days))
        took = time.monotonic() - start
    finally:
        release.set()
        holder.join(30)
    assert "error" not in out
    assert during == before
    assert took < 5
    assert _plain(rollups.dashboard_rollups(ids, days, days)) == before  # now it folds what is left
    assert RollupDelta.objects.filter(OneOf("center_id", ids)).count() == 0
    assert current_rollups() == counted_from_cases()


def test_writers_sweep_folds_and_folding_readers_at_once(world, clerk, monkeypatch):
    import datetime as dt

    from cases.intake.services import register_case

    monkeypatch.setattr(rollups, "PENDING_BOUND", 3)
    monkeypatch.setattr(rollups, "FOLD_CHUNK", 4)
    ids = [world.county.pk, world.town.pk, world.village.pk]
    today = timezone.localdate()
    days = (today - dt.timedelta(days=40), today + dt.timedelta(days=1))
    barrier = threading.Barrier(6)
    errors = []
    stop = threading.Event()

    def run(work):
        try:
            barrier.wait()
            work()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    def writer(n: int):
        def work():
            for i in range(8):
                center = [world.county, world.town, world.village][(n + i) % 3]
                case = register_case(center=center, actor=clerk, data=make_case_data(people_count=1 + i))
                Case.objects.filter(pk=case.pk).update(warning_level=(n + i) % 5)

        return work

    def sweep():
        while not stop.is_set():
            fold_rollups()

    def reader():
        while not stop.is_set():
            rollups.dashboard_rollups(ids, days, days)

    writers = [threading.Thread(target=run, args=(writer(n),)) for n in range(3)]
    others = [threading.Thread(target=run, args=(work,)) for work in (sweep, reader, reader)]
    for t in writers + others:
        t.start()
    for t in writers:
        t.join(120)
    stop.set()
    for t in others:
        t.join(120)
    assert errors == []
    counts, _days = counted_from_cases()
    assert sum(counts.values()) == 24
    assert current_rollups() == counted_from_cases()
    fold_rollups()
    assert not RollupDelta.objects.exists()
    assert current_rollups() == counted_from_cases()
