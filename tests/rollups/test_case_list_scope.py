"""The case list read center by center (keyset.Scope, PostgreSQL) and counted from the rollups shows exactly
what the former reads gave: the visible cases filtered, sorted and paged in SQL, and their COUNT.

Generated data (the random walk of test_rollups through the real services, plus plain writes), viewers of
every kind (a county and a town supervisor — with cases visible outside their subtree through their own
registration and a grant —, a clerk, a mediator), each filter of the list and of the dashboard's links;
every page walked forwards and one back, folded rollups or pending deltas, and the portable SQL beside the
fast path on PostgreSQL.
"""

import datetime as dt
import random
import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from cases.core import keyset
from cases.core.access import cases_visible_to
from cases.core.models import Case, WarningLevel
from cases.core.selectors import case_list_page
from cases.core.states import OPEN_STATUSES
from cases.rollups.services import fold_rollups
from mediation_center.dialect import fast_paths, portable_sql
from routing import services as routing
from tests.cases.warnings_support import local
from tests.conftest import _persona
from tests.rollups.test_rollups import _step

pytestmark = pytest.mark.django_db

NOW = local(2026, 4, 20, 15)


@pytest.fixture
def generated(make_case, world, clerk, mediator, supervisor, foreign_clerk):
    rng = random.Random(11)
    cases: list[Case] = []
    moment = NOW - dt.timedelta(days=40)
    for _ in range(90):
        moment += dt.timedelta(hours=rng.choice([3, 9, 14]))
        with time_machine.travel(moment, tick=False):
            _step(rng, cases, make_case, world, clerk, mediator, supervisor, moment)
    for i, case in enumerate(cases[::4]):  # levels of every kind, ties on the level
        Case.objects.filter(pk=case.pk).update(warning_level=i % 5)
    with time_machine.travel(moment, tick=False):
        foreign = [make_case(center=world.other_county, actor=foreign_clerk) for _ in range(3)]
        # visible to the supervisor outside their subtree: one they registered, one granted to them
        make_case(center=world.other_county, actor=supervisor)
        # and inside it, cases they registered themselves: each is in both parts of the rule (their centers,
        # what they registered) and must take one place on a page, not two
        cases += [make_case(actor=supervisor) for _ in range(3)]
        other_supervisor = _persona(world, "other_sup", Membership.Role.SUPERVISOR, center=world.other_county)
        routing.grant_case_access(
            foreign[0], actor=other_supervisor, user=supervisor, write=False, reason="会商"
        )
    return cases


def _filters(world, now):
    open_ = {"status__in": OPEN_STATUSES}
    specialist = world.channels["specialist"].pk
    day = (now - dt.timedelta(days=20)).date()
    after = day + dt.timedelta(days=1)
    end_of_day = local(after.year, after.month, after.day, 0)
    return [
        ({}, {}),
        ({"status": "in_mediation"}, {"status": "in_mediation"}),
        ({"status": "closed"}, {"status": "closed"}),
        ({"level": "2"}, {"warning_level__gte": 2, **open_}),
        ({"open": "1", "lv": "4"}, {"warning_level": 4, **open_}),
        ({"lv": "0"}, {"warning_level": 0}),
        ({"channel": "0"}, {"channel__isnull": True}),
        ({"channel": str(specialist), "open": "1"}, {"channel_id": specialist, **open_}),
        ({"center": str(world.town.pk)}, {"center_id": world.town.pk}),
        ({"center": str(world.other_county.pk)}, {"center_id": world.other_county.pk}),
        ({"overdue": "1"}, {"due_at__lt": now, **open_}),
        ({"registered_from": str(day)}, {"created_at__gte": local(day.year, day.month, day.day, 0)}),
        ({"q": "2026"}, {"number__icontains": "2026"}),
        # the other common filters, each served by an index of the list's order (migration 0019)
        ({"status": "not_accepted"}, {"status": "not_accepted"}),
        ({"status": "routed", "channel": str(specialist)}, {"status": "routed", "channel_id": specialist}),
        ({"channel": str(specialist)}, {"channel_id": specialist}),
        ({"lv": "2"}, {"warning_level": 2}),
        ({"level": "3"}, {"warning_level__gte": 3, **open_}),
        ({"open": "1"}, open_),
        ({"level": "1", "overdue": "1"}, {"warning_level__gte": 1, "due_at__lt": now, **open_}),
        ({"registered_to": str(day)}, {"created_at__lt": end_of_day}),
        ({"concluded_from": str(day)}, {"concluded_at__gte": local(day.year, day.month, day.day, 0)}),
        (
            {"concluded_to": str(day), "channel": str(specialist)},
            {"concluded_at__lt": end_of_day, "channel_id": specialist},
        ),
    ]


def _walk(user, params) -> tuple[list[int], int, bool, list[int]]:
    """Every page forwards (their ids), the count shown, whether capped, and the page before the last."""
    seen, pages = [], []
    page, _filters = case_list_page(user, params, now=NOW)
    count, capped = page.count, page.capped
    while True:
        pages.append(page)
        seen += [c.pk for c in page]
        if not page.has_next:
            break
        page, _filters = case_list_page(user, {**params, "after": page.next_cursor}, now=NOW)
    back = []
    if len(pages) > 1:
        back_page, _filters = case_list_page(user, {**params, "before": pages[-1].previous_cursor}, now=NOW)
        back = [c.pk for c in back_page]
        assert back == [c.pk for c in pages[-2]]
    return seen, count, capped, back


def _viewers(world, supervisor, clerk, mediator):
    town_supervisor = _persona(world, "town_sup", Membership.Role.SUPERVISOR, center=world.town)
    return [supervisor, town_supervisor, clerk, mediator]


@pytest.mark.parametrize("folded", [False, True])
def test_the_list_equals_the_former_reads(generated, world, supervisor, clerk, mediator, folded):
    if folded:
        fold_rollups()
    viewers = _viewers(world, supervisor, clerk, mediator)
    checked = 0
    with time_machine.travel(NOW, tick=False):
        for user in viewers:
            for params, where in _filters(world, NOW):
                former = list(
                    cases_visible_to(user)
                    .filter(**where)
                    .order_by(*keyset.ORDER)
                    .values_list("pk", flat=True)
                )
                seen, count, capped, _back = _walk(user, params)
                assert seen == former, (user.username, params)
                assert (count, capped) == (len(former), False), (user.username, params)
                with portable_sql():
                    assert _walk(user, params)[:3] == (seen, count, capped), (user.username, params)
                checked += len(former)
    assert checked > 300  # the data is not empty
    everything = cases_visible_to(supervisor).count()
    assert everything > keyset.PAGE_SIZE  # more than one page for the supervisor
    assert Case.objects.filter(warning_level=WarningLevel.RED, status__in=OPEN_STATUSES).exists()


def test_the_rollup_count_stops_at_the_cap_as_before(generated, supervisor, monkeypatch):
    monkeypatch.setattr(keyset, "COUNT_CAP", 10)
    page, _filters = case_list_page(supervisor, {}, now=NOW)
    assert (page.count, page.capped) == (10, True)
    page, _filters = case_list_page(supervisor, {"lv": "4", "open": "1"}, now=NOW)
    red = cases_visible_to(supervisor).filter(warning_level=4, status__in=OPEN_STATUSES).count()
    assert (page.count, page.capped) == (min(red, 10), red > 10)


def test_a_page_reads_no_case_row_of_the_subtree_beyond_its_own(generated, supervisor, login):
    """On PostgreSQL the rows come from the candidates found per center; everywhere the count is one query
    on the rollups (no COUNT over cases for an unfiltered list), and the page's queries are fixed."""
    client = login(supervisor)
    url = reverse("cases:list")
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        html = client.get(url).content.decode()
    found = re.search(r'href="(\?[^"]*)" rel="next"', html)
    with CaptureQueriesContext(connection) as second:
        client.get(url + found.group(1).replace("&amp;", "&"))
    assert len(first.captured_queries) == len(second.captured_queries)
    sqls = [q["sql"] for q in first.captured_queries]
    assert not any("COUNT(" in sql.upper() and "cases_case" in sql for sql in sqls)
    assert any("cases_casecount" in sql for sql in sqls)
    if fast_paths(connection):
        assert any("LATERAL" in sql for sql in sqls)


# Filters whose per-center walk an index of the list's order serves (migration 0019): on the generated 100k
# data the planner picks ``case_list_status`` for a status, ``case_list_open`` for the open cases' filters
# and ``case_list_order`` for the rest (bench/README.md, "Case list filters"); on a test's few rows it may
# take either of two that serve, so the test asks for one of them and no sort inside the walk.
SERVED = [
    {},
    {"status": "in_mediation"},
    {"status": "closed"},
    {"open": "1", "lv": "4"},
    {"level": "3"},
    {"overdue": "1"},
    {"channel": "2", "open": "1"},
    {"channel": "2"},
    {"lv": "1"},
]


@pytest.mark.postgres  # the per-center walk is PostgreSQL's fast path
@pytest.mark.parametrize("params", SERVED)
def test_each_filter_walks_an_index_in_the_list_order(generated, supervisor, params):
    """With sorting priced out (``enable_sort = off``), each center's first rows come from an index that
    holds the filter and the list's order, stopped after a page — and the rows are those of the former read."""
    with time_machine.travel(NOW, tick=False):
        with connection.cursor() as cursor:
            cursor.execute("SET enable_sort = off; SET enable_seqscan = off; SET enable_bitmapscan = off")
        try:
            with CaptureQueriesContext(connection) as captured:
                seen = _walk(supervisor, params)[0]
            page_sql = next(q["sql"] for q in captured.captured_queries if "LATERAL" in q["sql"])
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + page_sql)
                plan = [row[0] for row in cursor.fetchall()]
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET enable_sort; RESET enable_seqscan; RESET enable_bitmapscan")
        filters = case_list_page(supervisor, params, now=NOW)[1]
        former = cases_visible_to(supervisor).filter(filters.q).order_by(*keyset.ORDER)
    assert seen == list(former.values_list("pk", flat=True))
    walk = next(i for i, line in enumerate(plan) if "on cases_case cases_case_1 " in line)
    assert re.search(r"Scan using case_list_(order|status|open) on", plan[walk]), "\n".join(plan)
    assert "Sort" not in plan[walk - 1], "\n".join(plan)  # the walk's LIMIT reads the index directly


def test_every_filter_costs_the_same_queries(generated, world, supervisor, login):
    """The page's queries are fixed, the same for every filter as for the plain list: the session (in the
    database unless Redis holds it), the user, their memberships, their subtree's centers, their grants, the
    page's rows, the rows' parties (none asked for an empty page) and one count (from the rollups where every
    filter is rolled up, a capped count otherwise)."""
    client = login(supervisor)
    url = reverse("cases:list")
    client.get(url)  # the shell's work counts, cached once
    session = 1 if settings.SESSION_ENGINE.endswith(".db") else 0
    counts = {}
    with time_machine.travel(NOW, tick=False):
        for params, _where in _filters(world, NOW):
            with CaptureQueriesContext(connection) as captured:
                html = client.get(url, params).content.decode()
            parties = 0 if "共 0 件" in html else 1
            counts[tuple(params.items())] = len(captured.captured_queries) - session - parties
    assert set(counts.values()) == {6}, counts
