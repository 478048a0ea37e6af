"""The escalation sweep: set-based, harmless to repeat, and exactly-once under concurrency on PostgreSQL."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from cases.core.events import LEVEL_CHANGED
from cases.models import Case, TimelineEvent, WarningChange, WarningLevel
from cases.warnings.sweep import sweep_due_cases
from tests.cases.warnings_support import START, local

L = WarningLevel


def _register(make_case, n):
    with time_machine.travel(START, tick=False):
        return [make_case() for _ in range(n)]


@pytest.mark.django_db
def test_running_the_sweep_twice_records_nothing_twice(make_case):
    cases = _register(make_case, 3)
    with time_machine.travel(local(2026, 3, 18, 9), tick=False):
        assert sweep_due_cases() == 3
        assert sweep_due_cases() == 0
    assert WarningChange.objects.filter(to_level=L.RED).count() == 3
    assert TimelineEvent.objects.filter(type=LEVEL_CHANGED.code, data__to=L.RED).count() == 3
    assert {c.warning_level for c in Case.objects.filter(pk__in=[c.pk for c in cases])} == {L.RED}


@pytest.mark.django_db
def test_the_sweep_uses_a_fixed_number_of_queries(make_case, django_assert_max_num_queries):
    _register(make_case, 2)
    with time_machine.travel(local(2026, 3, 18, 9), tick=False):
        with django_assert_max_num_queries(30) as small:
            sweep_due_cases()
    _register(make_case, 12)
    with time_machine.travel(local(2026, 3, 18, 10), tick=False):
        with django_assert_max_num_queries(30) as large:
            assert sweep_due_cases() == 12
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_cases_not_yet_due_are_not_touched(make_case):
    _register(make_case, 2)
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        assert sweep_due_cases() == 0
    assert WarningChange.objects.filter(to_level__gt=L.BLUE).count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_record_each_change_exactly_once(make_case):
    cases = _register(make_case, 40)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            with time_machine.travel(local(2026, 3, 18, 9), tick=False):
                barrier.wait()
                results.append(sweep_due_cases(batch_size=7))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(results) == 40
    for case in cases:
        reds = WarningChange.objects.filter(case=case, to_level=L.RED).count()
        events = TimelineEvent.objects.filter(case=case, type=LEVEL_CHANGED.code, data__to=L.RED).count()
        assert (reds, events) == (1, 1)
