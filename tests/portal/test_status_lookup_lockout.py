"""Lookup lock-out cannot be used against a citizen (issue 13, item 9).

Case numbers are sequential: anyone can fail five lookups against a stranger's number. Those failures
lock lookups by that number, never the owner's lookups with the 12-character tracking code; the per-IP
limit still stops the guesser whichever code they type."""

import pytest

from tests.portal.test_status_lookup import GENERIC, errors_block, lookup


@pytest.mark.django_db
def test_guessing_at_a_case_number_does_not_lock_out_the_owner(client, make_case, settings):
    settings.PORTAL_LOOKUP_FAILURE_LIMIT = 5
    case = make_case()  # the applicant's phone ends in 8000
    for n in range(5):
        response = lookup(client, case.number, f"{n:04d}", ip=f"10.8.0.{n}")
        assert response.status_code == 200 and GENERIC in errors_block(response)
    by_number = lookup(client, case.number, "8000", ip="10.8.0.9")
    assert by_number.status_code == 429  # the per-case limit holds for the guessable number
    assert "该案号的查询失败次数过多" in errors_block(by_number)
    assert "请改用受理回执上的 12 位查询码查询" in errors_block(by_number)

    owner = lookup(client, case.tracking_code, "8000", ip="10.8.1.1")
    assert owner.status_code == 200
    body = owner.content.decode()
    assert case.number in body and "登记受理" in body and not errors_block(owner)


@pytest.mark.django_db
def test_the_per_ip_limit_still_locks_the_guesser(client, make_case, settings):
    settings.PORTAL_LOOKUP_FAILURE_LIMIT = 5
    cases = [make_case() for _ in range(5)]
    for case in cases:
        lookup(client, case.number, "0000", ip="10.9.0.1")
    locked = lookup(client, cases[0].tracking_code, "8000", ip="10.9.0.1")  # right code and digits
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "查询失败次数过多，已暂时锁定。请于" in errors_block(locked)
    assert "12 位查询码" not in errors_block(locked)
    assert lookup(client, cases[0].tracking_code, "8000", ip="10.9.0.2").status_code == 200


@pytest.mark.django_db
def test_failures_with_the_tracking_code_still_lock_that_case(client, make_case, settings):
    settings.PORTAL_LOOKUP_FAILURE_LIMIT = 5
    case = make_case()
    for n in range(5):
        lookup(client, case.tracking_code, "0000", ip=f"10.10.0.{n}")
    locked = lookup(client, case.tracking_code, "8000", ip="10.10.1.1")
    assert locked.status_code == 429 and "12 位查询码" not in errors_block(locked)
    assert lookup(client, case.number, "8000", ip="10.10.1.2").status_code == 429
