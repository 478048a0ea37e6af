"""The sweep's bulk writes through the database's row triggers: the rollup deltas of its bulk UPDATE
(cases/rollups/triggers.py) and the timeline's seals of its multi-row INSERT (records/integrity.py) are
compared with what a recount and the chain's own formula (``verify``) say."""

import datetime as dt
from collections import Counter

import pytest
import time_machine

from cases.core.events import LEVEL_CHANGED
from cases.models import Case, TimelineEvent, WarningChange, WarningLevel
from cases.rollups.models import RollupDelta
from cases.rollups.services import counted_from_cases, current_rollups, fold_rollups
from cases.warnings.sweep import sweep_due_cases
from mediation_center.dialect import update_rows
from records.integrity import verify
from records.models import TimelineSeal
from tests.cases.warnings_support import START, local

pytestmark = pytest.mark.django_db

L = WarningLevel
SWEEP_AT = local(2026, 3, 18, 9)  # the labour clock's 15 days are over: every case goes red


def _register(make_case, n):
    with time_machine.travel(START, tick=False):
        return [make_case() for _ in range(n)]


def _deltas_after(pk: int) -> Counter:
    """(level, sign) of the deltas written after ``pk``, with how many of each."""
    return Counter(RollupDelta.objects.filter(pk__gt=pk).values_list("level", "sign"))


def _last_delta() -> int:
    return RollupDelta.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_a_batch_of_escalations_moves_the_rollups_as_a_recount_says(make_case):
    cases = _register(make_case, 7)
    fold_rollups()
    before = _last_delta()
    with time_machine.travel(SWEEP_AT, tick=False):
        assert sweep_due_cases(batch_size=3) == 7  # three bulk UPDATEs, each one statement
    # one −1 at blue and one +1 at red per case, nothing else (the next checks are not counted)
    assert _deltas_after(before) == Counter({(L.BLUE, -1): 7, (L.RED, 1): 7})
    assert current_rollups() == counted_from_cases()
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("warning_level", flat=True)) == {
        L.RED
    }


def test_a_bulk_update_of_uncounted_columns_or_of_no_row_writes_no_delta(make_case):
    a, b = _register(make_case, 2)
    before = _last_delta()
    moment = START + dt.timedelta(days=1)
    update_rows(Case, ["next_check_at"], [(a.pk, moment), (b.pk, moment)])
    Case.objects.filter(pk=-1).update(warning_level=L.RED)
    assert _last_delta() == before
    # one counted and one uncounted change in the same statement: only the counted one moves
    update_rows(Case, ["warning_level", "next_check_at"], [(a.pk, L.ORANGE, moment), (b.pk, L.BLUE, None)])
    assert _deltas_after(before) == Counter({(L.BLUE, -1): 1, (L.ORANGE, 1): 1})
    assert current_rollups() == counted_from_cases()


def test_events_inserted_in_one_statement_are_chained_case_by_case_in_their_order(make_case, clerk):
    a, b = _register(make_case, 2)
    last = {
        case.pk: TimelineSeal.objects.filter(case_id=case.pk)
        .order_by("-id")
        .values_list("hash", flat=True)[0]
        for case in (a, b)
    }
    first_new = TimelineEvent.objects.order_by("-pk").values_list("pk", flat=True)[0]
    # interleaved: a, b, a, a, b in one INSERT
    TimelineEvent.objects.bulk_create(
        [
            TimelineEvent(case=case, type="note", actor=clerk, data={"i": i, "文字": "备注"})
            for i, case in enumerate([a, b, a, a, b])
        ]
    )
    for case, n in ((a, 3), (b, 2)):
        events = list(
            TimelineEvent.objects.filter(case=case, pk__gt=first_new)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        seals = list(
            TimelineSeal.objects.filter(event_id__in=events)
            .order_by("id")
            .values_list("event_id", "prev_hash", "hash")
        )
        assert len(events) == n
        assert [event for event, _prev, _hash in seals] == events  # the chain follows the events' order
        links = [prev for _event, prev, _hash in seals]
        assert links == [last[case.pk], *[hash_ for _event, _prev, hash_ in seals[:-1]]]
    report = verify()
    assert report.ok, report.lines()


def test_the_sweeps_events_are_sealed_and_a_second_sweep_adds_nothing(make_case):
    cases = _register(make_case, 5)
    with time_machine.travel(SWEEP_AT, tick=False):
        assert sweep_due_cases(batch_size=2) == 5
        Case.objects.filter(pk__in=[c.pk for c in cases]).update(next_check_at=START)
        assert sweep_due_cases(batch_size=2) == 0
    events = TimelineEvent.objects.filter(type=LEVEL_CHANGED.code, data__to=L.RED)
    assert events.count() == WarningChange.objects.filter(to_level=L.RED).count() == 5
    assert TimelineSeal.objects.filter(event_id__in=events.values("pk")).count() == 5
    assert verify().ok
    assert current_rollups() == counted_from_cases()
