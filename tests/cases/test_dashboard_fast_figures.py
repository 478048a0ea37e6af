"""The dashboard's county-first queries give the figures a plain Python count over every row gives.

Varied data on both sides of each boundary: the period's first and last local day (Asia/Shanghai, so
16:00 UTC is midnight), "since the start of yesterday", today's activity, the supervisor's county,
town and village, and a foreign county whose rows must never count. The reference below reads all
rows and decides in Python; the dashboard must agree figure by figure, in a fixed number of queries.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Center, User
from cases.core.workcalendar import local_date, start_of_day
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseClock,
    ClockTrigger,
    FollowUpVisit,
    Outcome,
    Status,
    WarningChange,
)
from cases.warnings.selectors import LEVELS, Period, dashboard_figures
from tests.cases.warnings_support import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 18, 10)  # "today" is 2026-03-18, local time
PERIOD = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 17))
US = dt.timedelta(microseconds=1)
# Moments around the period's edges, in local time
EDGES = [
    start_of_day(PERIOD.start) - US,  # 2026-02-28 23:59:59.999999
    start_of_day(PERIOD.start),  # 2026-03-01 00:00 (= 02-28 16:00 UTC)
    local(2026, 3, 9, 12),
    start_of_day(PERIOD.end + dt.timedelta(days=1)) - US,  # 03-17 23:59:59.999999
    start_of_day(PERIOD.end + dt.timedelta(days=1)),  # 03-18 00:00, today
    NOW - dt.timedelta(minutes=5),  # today's activity, after the period
]


@pytest.fixture
def data(make_case, world, foreign_clerk):
    """Cases in every center of the county, one abroad, with clocks, visits and warning changes at the edges."""
    centers = [world.county, world.town, world.village, world.other_county]
    cases = []
    with time_machine.travel(local(2026, 2, 20, 9), tick=False):
        for i in range(len(EDGES) * 2):
            center = centers[i % len(centers)]
            actor = foreign_clerk if center == world.other_county else None
            cases.append(make_case(center=center, actor=actor))
    outcomes = [Outcome.WRITTEN_AGREEMENT, Outcome.FAILED, Outcome.ORAL_AGREEMENT, "", Outcome.WITHDRAWN]
    for i, case in enumerate(cases):
        moment = EDGES[i % len(EDGES)]
        concluded = i % 3 != 2
        Case.objects.filter(pk=case.pk).update(
            created_at=EDGES[(i + 1) % len(EDGES)],
            concluded_at=moment if concluded else None,
            status=Status.CONCLUDED if concluded else Status.IN_MEDIATION,
            outcome=outcomes[i % len(outcomes)] if concluded else "",
            money_covered=Decimal(1000 + i) if concluded else None,
            warning_level=i % 5,
            due_at=NOW + dt.timedelta(days=(i % 3) - 1),
        )
        _clock(
            case,
            stopped_at=moment,
            on_time=i % 2 == 0,
            reason=[ClockTrigger.CONCLUDED, ClockTrigger.CLOSED, "manual"][i % 3],
        )
        FollowUpVisit.objects.create(
            case=case,
            reason=FollowUpVisit.Reason.AFTER_CLOSING,
            due_on=local_date(moment),
            visited_at=moment if i % 4 else None,
            satisfaction=(i % 5) + 1 if i % 4 and i % 6 else None,
        )
        since = start_of_day(local_date(NOW) - dt.timedelta(days=1))
        for seq, (created, rise) in enumerate(
            [(since - US, True), (since, True), (NOW, i % 2 == 0)], start=100
        ):
            WarningChange.objects.create(
                case=case,
                seq=seq,
                from_level=1,
                to_level=2 if rise else 1,
                basis="time",
                reason="测试",
                created_at=created,
            )
    return cases


def _clock(case, *, stopped_at, on_time, reason):
    due_at = stopped_at + (dt.timedelta(0) if on_time else -US)  # on time means stopped_at <= due_at
    CaseClock.objects.update_or_create(
        case=case,
        code="handling",
        defaults={
            "name": "调解期限",
            "unit": "calendar_days",
            "length": 30,
            "stop_trigger": ClockTrigger.CONCLUDED,
            "started_at": case.created_at,
            "due_at": due_at,
            "stopped_at": stopped_at,
            "stop_reason": reason,
        },
    )


def _reference(centers: set[int], period: Period, now: dt.datetime) -> dict:
    """The figures by reading every row and deciding in Python."""
    start, end = period.start, period.end

    def in_period(moment):
        return moment is not None and start <= local_date(moment) <= end

    cases = [c for c in Case.objects.all() if c.center_id in centers]
    resolved = set(Outcome.resolved())
    concluded = [c for c in cases if in_period(c.concluded_at)]
    registered = [c for c in cases if in_period(c.created_at)]
    clocks = [
        k
        for k in CaseClock.objects.select_related("case")
        if k.case.center_id in centers
        and k.code == "handling"
        and k.stop_reason in (ClockTrigger.CONCLUDED, ClockTrigger.CLOSED)
        and in_period(k.stopped_at)
    ]
    visits = list(FollowUpVisit.objects.select_related("case"))
    made = [v for v in visits if v.case.center_id in centers and in_period(v.visited_at) and v.satisfaction]
    since = start_of_day(local_date(now) - dt.timedelta(days=1))
    today = local_date(now)
    first = today - dt.timedelta(days=29)
    open_cases = [c for c in cases if c.status in OPEN_STATUSES]
    return {
        "mediation_success_rate": (sum(c.outcome in resolved for c in concluded), len(concluded)),
        "resolution_rate": (
            sum(c.outcome in resolved and c.concluded_at is not None for c in registered),
            len(registered),
        ),
        "on_time_rate": (sum(k.stopped_at <= k.due_at for k in clocks), len(clocks)),
        "visit_satisfaction_rate": (sum(v.satisfaction >= 3 for v in made), len(made)),
        "money_covered": sum((c.money_covered or 0 for c in concluded), Decimal("0")),
        "overdue_visits": sorted(
            (v.due_on, v.pk)
            for v in visits
            if v.case.center_id in centers and v.visited_at is None and v.due_on < today
        ),
        "newly_escalated": sorted(
            w.pk
            for w in WarningChange.objects.select_related("case")
            if w.case.center_id in centers and w.created_at >= since and w.to_level > w.from_level
        ),
        "series": [
            (
                first + dt.timedelta(days=i),
                sum(local_date(c.created_at) == first + dt.timedelta(days=i) for c in cases),
                sum(
                    c.concluded_at is not None and local_date(c.concluded_at) == first + dt.timedelta(days=i)
                    for c in cases
                ),
            )
            for i in range(30)
        ],
        "by_center": [
            (
                center.name,
                [
                    sum(c.center_id == center.pk and c.warning_level == lv for c in open_cases)
                    for lv in LEVELS
                ],
            )
            for center in Center.objects.filter(pk__in=centers).order_by("name")
            if any(c.center_id == center.pk for c in open_cases)
        ],
        "open_total": len(open_cases),
        "overdue_cases": sorted(c.pk for c in open_cases if c.due_at and c.due_at < now),
    }


def _subtree(world) -> set[int]:
    return {c.pk for c in Center.objects.all() if c.path.startswith(world.county.path)}


def test_county_first_figures_match_a_plain_count(data, world, supervisor):
    with time_machine.travel(NOW, tick=False):
        f = dashboard_figures(supervisor, PERIOD, now=NOW)
    expected = _reference(_subtree(world), PERIOD, NOW)
    measures = {m["key"]: (m["numerator"], m["denominator"]) for m in f["measures"]}
    for key in ("mediation_success_rate", "resolution_rate", "on_time_rate", "visit_satisfaction_rate"):
        assert measures[key] == expected[key], key
    assert all(expected[key][1] for key in measures if key in expected)  # the data exercises every figure
    assert f["money_covered"] == expected["money_covered"]
    assert [(v.due_on, v.pk) for v in f["overdue_visits"]] == expected["overdue_visits"]
    assert sorted(w.pk for w in f["newly_escalated"]) == expected["newly_escalated"]
    assert [(d["day"], d["registered"], d["resolved"]) for d in f["series"]] == expected["series"]
    assert [(r["center"], r["levels"]) for r in f["by_center"]] == expected["by_center"]
    assert sum(r["total"] for r in f["by_center"]) == expected["open_total"]
    assert sum(r["total"] for r in f["by_channel"]["rows"]) == expected["open_total"]
    assert sorted(c.pk for c in f["overdue_cases"]) == expected["overdue_cases"]


def test_period_edges_are_local_days(data, world, supervisor):
    """Moving the period one day either way moves exactly the edge rows in or out."""
    subtree = _subtree(world)
    for period in (
        Period(dt.date(2026, 2, 28), dt.date(2026, 3, 16)),
        Period(dt.date(2026, 3, 2), NOW.date()),
    ):
        with time_machine.travel(NOW, tick=False):
            f = dashboard_figures(supervisor, period, now=NOW)
        expected = _reference(subtree, period, NOW)
        measures = {m["key"]: (m["numerator"], m["denominator"]) for m in f["measures"]}
        for key in ("mediation_success_rate", "resolution_rate", "on_time_rate", "visit_satisfaction_rate"):
            assert measures[key] == expected[key], (period, key)
        assert f["money_covered"] == expected["money_covered"]


def test_the_number_of_queries_is_fixed(data, make_case, world, supervisor):
    """The user's roles, the subtree's ids, then one query per figure, whatever the data."""
    with time_machine.travel(NOW, tick=False):
        dashboard_figures(supervisor, PERIOD, now=NOW)  # fills the reference-data cache (the channels)
    user = User.objects.get(pk=supervisor.pk)  # roles not cached yet, as in a request
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as small:
        dashboard_figures(user, PERIOD, now=NOW)
    with time_machine.travel(local(2026, 3, 10, 9), tick=False):
        for center in (world.county, world.town, world.village):
            for _ in range(3):
                make_case(center=center)
    Case.objects.update(concluded_at=local(2026, 3, 10, 10), outcome=Outcome.WRITTEN_AGREEMENT)
    user = User.objects.get(pk=supervisor.pk)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as large:
        dashboard_figures(user, PERIOD, now=NOW)
    assert len(large.captured_queries) == len(small.captured_queries) == DASHBOARD_QUERIES


DASHBOARD_QUERIES = 9  # the rollups' counts, days and the four period measures (clocks, summonses, ratings, visits) in one statement for the current and the previous period; the channels from the reference-data cache


def test_page_api_and_export_read_the_lists_in_fixed_queries(data, make_case, world, supervisor, login):
    """More listed rows (red, overdue, unvisited, escalated) add no query: nothing a list shows is deferred."""
    from django.urls import reverse

    client = login(supervisor)
    urls = [
        reverse("cases:warnings_dashboard"),
        reverse("api-warnings-dashboard"),
        reverse("cases:warnings_export"),
    ]

    def counts():
        result = []
        for url in urls:
            with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries.captured_queries))
        return result

    counts()  # warm the shared reference-data cache (calendar, thresholds) first
    before = counts()
    with time_machine.travel(local(2026, 3, 10, 9), tick=False):
        extra = [make_case(center=center) for center in (world.county, world.town, world.village) * 2]
    for i, case in enumerate(extra):
        Case.objects.filter(pk=case.pk).update(warning_level=4, due_at=NOW - dt.timedelta(days=1))
        FollowUpVisit.objects.create(
            case=case, reason=FollowUpVisit.Reason.AFTER_CLOSING, due_on=dt.date(2026, 3, 1 + i)
        )
        WarningChange.objects.create(
            case=case, seq=200, from_level=2, to_level=4, basis="time", reason="测试", created_at=NOW
        )
    assert counts() == before


def test_listed_rows_link_to_their_case(data, world, supervisor, login):
    from django.urls import reverse

    with time_machine.travel(NOW, tick=False):
        f = dashboard_figures(supervisor, PERIOD, now=NOW)
        html = login(supervisor).get(reverse("cases:warnings_dashboard")).content.decode()
    listed = {c.pk for c in (*f["red_orange"], *f["overdue_cases"])}
    listed |= {row.case_id for row in (*f["overdue_visits"], *f["newly_escalated"])}
    assert listed
    for pk in listed:
        assert f'<a href="{reverse("cases:detail", args=[pk])}">' in html


# The figures of ``data`` for PERIOD written out, as a supervisor reads them: the same numbers on SQLite
# and on PostgreSQL. The reference above is computed on each backend from its own rows; these literals
# make a backend that counts, rounds or sums differently fail even if it agrees with itself.
FIGURES = {  # key: (value %, numerator, denominator)
    "mediation_success_rate": (0.0, 0, 2),
    "resolution_rate": (20.0, 1, 5),
    "on_time_rate": (0.0, 0, 2),
    "timely_sign_rate": (None, 0, 0),
    "satisfaction_rate": (None, 0, 0),
    "visit_satisfaction_rate": (66.7, 2, 3),
}
MONEY = "2010.00"
BY_CENTER = [  # open cases per center (red, orange, yellow, blue), by name
    ("测试县矛调中心", [1, 1, 0, 0], 3),
    ("测试村调委会", [0, 0, 1, 1], 3),
    ("测试镇矛调中心", [1, 0, 0, 1], 3),
]


def test_page_api_and_excel_show_the_same_numbers_on_every_backend(data, supervisor, login):
    from io import BytesIO

    from django.urls import reverse
    from openpyxl import load_workbook

    from cases.warnings.selectors import MEASURES

    client = login(supervisor)
    query = {"start": PERIOD.start.isoformat(), "end": PERIOD.end.isoformat()}
    with time_machine.travel(NOW, tick=False):
        api = client.get(reverse("api-warnings-dashboard"), query).json()
        xlsx = client.get(reverse("cases:warnings_export"), query)
        html = client.get(reverse("cases:warnings_dashboard"), query).content.decode()
    assert {m["key"]: (m["value"], m["numerator"], m["denominator"]) for m in api["measures"]} == FIGURES
    assert api["money_covered"] == MONEY
    assert [(r["center"], r["levels"], r["total"]) for r in api["by_center"]] == BY_CENTER

    book = load_workbook(BytesIO(xlsx.content))
    sheet = {row[0]: row[1:] for row in book["考核指标"].iter_rows(min_row=3, values_only=True)}
    labels = {key: str(label) for key, label, _fn in MEASURES}
    assert {key: sheet[labels[key]] for key in FIGURES} == FIGURES
    assert sheet["协议涉及金额（元）"][0] == float(MONEY)
    by_center = [(r[0], list(r[1:5]), r[5]) for r in book["按中心"].iter_rows(min_row=2, values_only=True)]
    assert by_center == BY_CENTER

    for key, (value, numerator, denominator) in FIGURES.items():
        shown = (
            "<b>—</b><small>无数据</small>"
            if value is None
            else f"<b>{value}%</b><small>{numerator}/{denominator}"
        )
        assert f'data-key="{key}"><small>{labels[key]}</small>{shown}' in html, key
    assert f'data-key="money_covered"><small>协议涉及金额（元）</small><b>{MONEY}</b>' in html
