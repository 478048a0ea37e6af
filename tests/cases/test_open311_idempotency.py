"""A repeated push never makes a second case: external ids, Idempotency-Key replays, and races."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cases.models import Case, CaseNumberSequence, IntakeIdempotencyKey, Source
from tests.api.helpers import open311_error
from tests.cases.open311_fixtures import make_system, push_body

REQUESTS = reverse("open311-requests")


@pytest.fixture
def hotline(world):
    return make_system(world.county)


@pytest.fixture
def grid(world):
    return make_system(world.county, code="grid", source=Source.GRID)


def post(client, token, body, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(REQUESTS, body, content_type="application/json", **headers)


def test_same_external_id_twice_returns_the_existing_case(client, hotline):
    first = post(client, hotline[1], push_body())
    second = post(client, hotline[1], push_body())
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()  # an identical repeat is a pure replay
    assert Case.objects.count() == 1
    assert not Case.objects.get().events.filter(type="external_updated").exists()


def test_a_changed_payload_under_a_known_external_id_is_recorded_not_dropped(client, hotline):
    first = post(client, hotline[1], push_body())
    second = post(client, hotline[1], push_body(description="再次来电催办", people_count=5))
    assert (first.status_code, second.status_code) == (201, 200)
    body = second.json()[0]
    assert body["update_recorded"] is True and body["changed_fields"] == ["description", "people_count"]
    assert "已记录" in body["service_notice"]
    assert body["service_request_id"] == first.json()[0]["service_request_id"]
    case = Case.objects.get()
    assert case.summary == "来电反映某公司拖欠工资"  # the staff decide what to change
    (event,) = case.events.filter(type="external_updated")
    assert event.is_public is False and event.actor.username == "sys-hotline12345"
    assert event.data["changed"]["description"] == {"from": "来电反映某公司拖欠工资", "to": "再次来电催办"}
    assert event.data["changed"]["people_count"] == {"from": 3, "to": 5}
    # The same changed push again: a replay of what was last received, nothing new recorded.
    third = post(client, hotline[1], push_body(description="再次来电催办", people_count=5))
    assert third.status_code == 200 and third.json() == first.json()
    assert case.events.filter(type="external_updated").count() == 1
    # Back to the first text: that is a change again, and recorded.
    fourth = post(client, hotline[1], push_body(people_count=5))
    assert fourth.json()[0]["changed_fields"] == ["description"]
    assert case.events.filter(type="external_updated").count() == 2


def test_a_changed_payload_with_a_new_idempotency_key_is_recorded_and_replayed(client, hotline):
    post(client, hotline[1], push_body(), key="k-1")
    second = post(client, hotline[1], push_body(description="补充：涉及三名工人"), key="k-2")
    again = post(client, hotline[1], push_body(description="补充：涉及三名工人"), key="k-2")
    assert second.status_code == again.status_code == 200
    assert second.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert second.json()[0]["changed_fields"] == ["description"]
    assert Case.objects.get().events.filter(type="external_updated").count() == 1


def test_the_staff_case_page_shows_the_external_update(client, hotline, login, clerk):
    post(client, hotline[1], push_body())
    post(client, hotline[1], push_body(description="再次来电催办"))
    case = Case.objects.get()
    page = login(clerk).get(reverse("cases:detail", args=[case.pk]))
    text = page.content.decode()
    assert "外部系统更新" in text and "description" in text


def test_same_external_id_from_another_system_is_another_case(client, hotline, grid):
    assert post(client, hotline[1], push_body()).status_code == 201
    assert post(client, grid[1], push_body()).status_code == 201
    assert Case.objects.count() == 2


def test_same_key_twice_replays_the_first_response(client, hotline):
    first = post(client, hotline[1], push_body(), key="k-1")
    second = post(client, hotline[1], push_body(), key="k-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    record = IntakeIdempotencyKey.objects.get()
    assert record.case == Case.objects.get() and record.response_status == 201


def test_same_key_with_a_different_payload_is_refused(client, hotline):
    post(client, hotline[1], push_body(), key="k-1")
    response = post(client, hotline[1], push_body(external_id="another"), key="k-1")
    assert response.status_code == 422
    assert open311_error(response)["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_keys_are_per_system(client, hotline, grid):
    post(client, hotline[1], push_body(), key="k-1")
    assert post(client, grid[1], push_body(external_id="grid-1"), key="k-1").status_code == 201
    assert Case.objects.count() == 2


def test_a_refused_push_does_not_burn_the_key(client, hotline):
    bad = push_body()
    bad.pop("description")
    assert post(client, hotline[1], bad, key="k-1").status_code == 400
    assert not IntakeIdempotencyKey.objects.exists()
    assert post(client, hotline[1], push_body(), key="k-1").status_code == 201


def test_overlong_key_is_a_400(client, hotline):
    assert post(client, hotline[1], push_body(), key="k" * 121).status_code == 400


def _race(token, bodies_and_keys) -> list:
    """Post from one thread per item at the same moment; each thread has its own connection."""
    barrier = threading.Barrier(len(bodies_and_keys))
    results = [None] * len(bodies_and_keys)

    def run(index, body, key):
        try:
            barrier.wait()
            response = post(Client(), token, body, key)
            results[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, b, k)) for i, (b, k) in enumerate(bodies_and_keys)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_pushes_create_one_case(hotline):
    results = _race(hotline[1], [(push_body(), None)] * 10)
    codes = sorted(code for code, _ in results)
    assert codes == [200] * 9 + [201]
    assert len({json.dumps(body, sort_keys=True) for _, body in results}) == 1
    assert Case.objects.count() == 1
    # The losers' serials were rolled back: the next case is number 2, no gap.
    assert CaseNumberSequence.objects.get().last_serial == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_pushes_with_the_same_key_create_one_case(hotline):
    results = _race(hotline[1], [(push_body(), "race-key")] * 10)
    assert [code for code, _ in results] == [201] * 10
    assert len({json.dumps(body, sort_keys=True) for _, body in results}) == 1
    assert Case.objects.count() == 1 and IntakeIdempotencyKey.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_same_key_different_external_ids_one_case_rest_refused(hotline):
    results = _race(hotline[1], [(push_body(external_id=f"x-{i}"), "same-key") for i in range(8)])
    codes = sorted(code for code, _ in results)
    assert codes == [201] + [422] * 7
    assert Case.objects.count() == 1
