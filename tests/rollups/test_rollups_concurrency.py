"""Transactions changing cases of one center at once, with folds running meanwhile: no count is lost.

Four threads register cases in the same center and move their levels while two others fold; with rollups
kept by read-modify-write some increments would be lost here. Afterwards the rollups equal a full recount.
"""

import threading

import pytest
from django.db import connection

from cases.core.models import Case
from cases.rollups.models import RollupDelta
from cases.rollups.services import counted_from_cases, current_rollups, fold_rollups
from tests.conftest import make_case_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_changes_of_one_center_lose_nothing(world, clerk):
    from cases.intake.services import register_case

    per_thread = 8
    barrier = threading.Barrier(6)
    errors = []

    def writer(n: int):
        try:
            barrier.wait()
            for i in range(per_thread):
                case = register_case(
                    center=world.county, actor=clerk, data=make_case_data(people_count=1 + n + i)
                )
                Case.objects.filter(pk=case.pk).update(warning_level=(n + i) % 5)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    def folder():
        try:
            barrier.wait()
            for _ in range(10):
                fold_rollups()
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    threads += [threading.Thread(target=folder) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    counts, _days = counted_from_cases()
    assert sum(counts.values()) == 4 * per_thread
    assert current_rollups() == counted_from_cases()
    fold_rollups()
    assert not RollupDelta.objects.exists()
    assert current_rollups() == counted_from_cases()
