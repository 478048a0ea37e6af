"""The mediator queue: tabs, filters, order, pagination, fixed query count, and the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, DisputeType, Status, WarningLevel
from routing import services


@pytest.fixture
def queue_cases(routed_case, mediator):
    """Six cases in the specialist queue with different warning levels and due times; two claimed."""
    now = timezone.now()
    specs = [
        (WarningLevel.YELLOW, now + timedelta(days=3)),
        (WarningLevel.RED, now + timedelta(days=5)),
        (WarningLevel.RED, now + timedelta(days=1)),
        (WarningLevel.NONE, None),
        (WarningLevel.BLUE, now - timedelta(days=1)),  # overdue
        (WarningLevel.ORANGE, now + timedelta(days=2)),
    ]
    cases = [routed_case() for _ in specs]
    services.claim_case(cases[0], actor=mediator)
    services.claim_case(cases[4], actor=mediator)
    # Levels and due times set last: claiming starts the clocks, which set them from the policies.
    for case, (level, due) in zip(cases, specs, strict=True):
        Case.objects.filter(pk=case.pk).update(warning_level=level, due_at=due)
    return [Case.objects.get(pk=case.pk) for case in cases]


def _numbers(html: str, cases) -> list[str]:
    found = [(html.index(c.number), c.number) for c in cases if c.number in html]
    return [n for _, n in sorted(found)]


def test_channel_queue_sorted_by_warning_then_due(login, mediator, queue_cases):
    html = login(mediator).get(reverse("routing:queue") + "?tab=channel").content.decode()
    c = queue_cases
    assert _numbers(html, c) == [c[2].number, c[1].number, c[5].number, c[3].number]


def test_my_cases_tab(login, mediator, queue_cases):
    html = login(mediator).get(reverse("routing:queue")).content.decode()
    c = queue_cases
    assert _numbers(html, c) == [c[0].number, c[4].number]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tab=channel&warning_level=4", [2, 1]),
        ("tab=mine&overdue=on", [4]),
        ("tab=channel&status=in_mediation", []),
        ("tab=mine&status=in_mediation", [0, 4]),
        ("tab=channel&dispute_type=labour", [2, 1, 5, 3]),
        ("tab=channel&dispute_type=medical", []),
    ],
)
def test_filters(login, mediator, queue_cases, query, expected):
    html = login(mediator).get(reverse("routing:queue") + "?" + query).content.decode()
    assert _numbers(html, queue_cases) == [queue_cases[i].number for i in expected]


def test_other_channel_mediator_sees_empty_queue(login, other_mediator, queue_cases):
    html = login(other_mediator).get(reverse("routing:queue") + "?tab=channel").content.decode()
    assert _numbers(html, queue_cases) == []


def test_queue_requires_mediator_role(login, clerk, liaison):
    assert login(clerk).get(reverse("routing:queue")).status_code == 403
    assert login(liaison).get(reverse("api-routing-queue")).status_code == 403


def test_queue_is_paginated(login, mediator, routed_case, settings):
    for _ in range(22):
        routed_case()
    client = login(mediator)
    first = client.get(reverse("routing:queue") + "?tab=channel")
    assert first.context["page"].paginator.count == 22
    assert len(first.context["page"].object_list) == 20
    second = client.get(reverse("routing:queue") + "?tab=channel&page=2")
    assert len(second.context["page"].object_list) == 2


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_queue_query_count_does_not_grow_with_page_size(
    login, mediator, routed_case, django_assert_num_queries
):
    client = login(mediator)
    routed_case()
    url = reverse("routing:queue") + "?tab=channel"
    client.get(url)  # the first request after sign-in records the last activity in the session row
    few = _count_queries(client, url)
    api_url = reverse("api-routing-queue") + "?tab=channel"
    api_few = _count_queries(client, api_url)
    for _ in range(15):
        routed_case(dispute_type=DisputeType.objects.get(code="labour"))
    with django_assert_num_queries(few):
        client.get(url)
    with django_assert_num_queries(api_few):
        client.get(api_url)


def test_queue_api_returns_same_order_and_filters(login, mediator, queue_cases):
    client = login(mediator)
    body = client.get(reverse("api-routing-queue") + "?tab=channel").json()
    c = queue_cases
    assert [row["number"] for row in body["results"]] == [c[2].number, c[1].number, c[5].number, c[3].number]
    mine = client.get(reverse("api-routing-queue") + "?tab=mine&overdue=true").json()
    assert [row["number"] for row in mine["results"]] == [c[4].number]
    assert mine["results"][0]["mediators"][0]["mediator"] == "mediator"
    assert mine["results"][0]["parties"][0]["phone"] == "138****8000"
    bad = client.get(reverse("api-routing-queue") + "?tab=nope")
    assert bad.status_code == 400


def test_claimed_case_status(queue_cases):
    assert Case.objects.get(pk=queue_cases[0].pk).status == Status.IN_MEDIATION


def test_a_queue_page_is_two_queries_whatever_its_rows(mediator, supervisor, queue_cases, routed_case):
    """The page's ids (with the channel queue's count) and its rows, each row's parties and mediators read
    with it: two queries for either tab and the supervisor's queue, one for an empty queue."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.access import roles_of
    from routing.selectors import QueueFilters, mediator_queue_page, unassigned_queue_page

    roles_of(mediator), roles_of(supervisor)  # read by the views' role checks before the queue

    def queries(read) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            page = read()
        return len(ctx.captured_queries), len(page.object_list)

    mine = lambda: mediator_queue_page(mediator, QueueFilters(tab="mine"), 1, per_page=20)  # noqa: E731
    channel = lambda: mediator_queue_page(mediator, QueueFilters(tab="channel"), 1, per_page=20)  # noqa: E731
    assign = lambda: unassigned_queue_page(supervisor, QueueFilters(), 1, per_page=20)  # noqa: E731
    assert [queries(mine), queries(channel), queries(assign)] == [(2, 2), (2, 4), (2, 4)]
    for _ in range(5):
        services.claim_case(routed_case(), actor=mediator)
        routed_case()
    assert [queries(mine), queries(channel), queries(assign)] == [(2, 7), (2, 9), (2, 9)]
    empty = QueueFilters(tab="channel", dispute_type="medical")
    assert queries(lambda: mediator_queue_page(mediator, empty, 1, per_page=20)) == (1, 0)
