"""One case, one code: gapless per-center numbers under concurrency, and unguessable tracking codes."""

import math
import threading

import pytest
import time_machine
from django.db import connection

from accounts.models import Center
from cases.intake.services import TRACKING_ALPHABET, TRACKING_LENGTH, register_case
from cases.models import Case
from tests.conftest import make_case_data


def test_number_format_per_center_and_year(make_case, world, settings):
    settings.CASE_NUMBER_WORD = "调处"
    with time_machine.travel("2026-12-31 23:30 +0800"):
        a = make_case()
        b = make_case()
        other = make_case(center=world.town)
    with time_machine.travel("2027-01-01 00:10 +0800"):
        c = make_case()
    assert [a.number, b.number, other.number, c.number] == [
        "(2026)测试县调处字第1号",
        "(2026)测试县调处字第2号",
        "(2026)测试镇调处字第1号",
        "(2027)测试县调处字第1号",
    ]


def test_number_stays_when_the_case_moves(make_case, world):
    case = make_case()
    number = case.number
    case.center = world.town
    case.save(update_fields=["center"])
    case.refresh_from_db()
    assert case.number == number and case.origin_center == world.county


def test_tracking_codes_are_random_unambiguous_and_long_enough(make_case):
    codes = {make_case().tracking_code for _ in range(20)}
    assert len(codes) == 20
    assert TRACKING_LENGTH * math.log2(len(TRACKING_ALPHABET)) >= 50
    for code in codes:
        assert len(code) == TRACKING_LENGTH
        assert not set(code) & set("01OIL25S8B")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_200_concurrent_registrations_get_exactly_1_to_200(world, clerk):
    center_id = world.county.pk
    threads_count, per_thread = 10, 20
    barrier = threading.Barrier(threads_count)
    errors = []

    def work():
        try:
            center = Center.objects.get(pk=center_id)
            data = make_case_data()
            barrier.wait()
            for _ in range(per_thread):
                register_case(center=center, actor=clerk, data=data)
        except Exception as exc:  # surfaced below; a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    serials = sorted(Case.objects.filter(origin_center_id=center_id).values_list("serial", flat=True))
    assert serials == list(range(1, 201))
    assert Case.objects.values("number").distinct().count() == 200
    assert Case.objects.values("tracking_code").distinct().count() == 200
