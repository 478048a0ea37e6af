"""The dialect seam (mediation_center/dialect.py): every form it writes gives what the plain ORM gives.

Each query runs through the seam on the current backend ("native": PostgreSQL's fast forms there, the
portable ones on SQLite) and inside ``portable_sql()``; both must agree with a plain ORM or Python
computation over the same rows. On PostgreSQL that compares the fast path with the portable path; on SQLite
the long id lists (``json_each``) with the short ones (``IN (…)``), by lowering ``IN_LIST_MAX``.
"""

import datetime as dt
from contextlib import nullcontext
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, FollowUpVisit, WarningLevel
from cases.warnings.selectors import dashboard_figures, overdue_visits
from cases.warnings.sweep import CASE_LEVEL_FIELDS
from mediation_center import dialect
from mediation_center.dialect import IN_LIST_MAX, OneOf, portable_sql, update_rows
from tests.cases.test_dashboard_fast_figures import NOW, PERIOD, data  # noqa: F401 (the fixture)
from tests.cases.warnings_support import local

pytestmark = pytest.mark.django_db
MODES = ["native", "portable"]
MISSING = list(range(10**9, 10**9 + IN_LIST_MAX + 100))  # ids no center has: a list past IN_LIST_MAX


def _mode(mode: str):
    return portable_sql() if mode == "portable" else nullcontext()


def _expected_form(mode: str, n: int) -> str:
    """The SQL the seam must write for a list of ``n`` ids on this backend."""
    if connection.vendor == "postgresql" and mode == "native":
        return "= ANY("
    if n == 0:
        return "1 = 0"
    if connection.vendor == "sqlite" and n > IN_LIST_MAX:
        return "json_each("
    return " IN ("


@pytest.fixture
def spread(make_case, world, foreign_clerk):
    """Two cases in each center of the county and one in another county."""
    cases = [make_case(center=c) for c in (world.county, world.town, world.village) for _ in range(2)]
    return [*cases, make_case(center=world.other_county, actor=foreign_clerk)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", ["empty", "short", "long"])
def test_an_id_list_filters_like_in(spread, world, mode, size):
    ids = {"empty": [], "short": [world.town.pk, world.village.pk]}.get(size)
    if ids is None:
        ids = [world.town.pk, *MISSING, world.village.pk]
    wanted = set(ids)
    every = list(Case.objects.values_list("pk", "center_id"))
    with _mode(mode), CaptureQueriesContext(connection) as queries:
        inside = set(Case.objects.filter(OneOf("center_id", ids)).values_list("pk", flat=True))
        outside = set(Case.objects.exclude(OneOf("center_id", ids)).values_list("pk", flat=True))
        combined = Case.objects.filter(OneOf("center_id", ids), warning_level__gte=WarningLevel.NONE).count()
    assert inside == {pk for pk, center in every if center in wanted}
    assert outside == {pk for pk, center in every if center not in wanted}
    assert combined == len(inside)
    assert (len(inside), len(outside)) == ({"empty": (0, 7)}.get(size, (4, 3)))  # the data can fail it
    assert _expected_form(mode, len(ids)) in queries.captured_queries[0]["sql"]


@pytest.fixture
def visits(spread):
    """Unvisited visits due before and after today in every center, one made, one abroad."""
    rows = []
    for i, case in enumerate(spread):
        for days in (-9 + i, 3):
            rows.append(
                FollowUpVisit.objects.create(
                    case=case,
                    reason=FollowUpVisit.Reason.AFTER_CLOSING,
                    due_on=dt.date(2026, 3, 18) + dt.timedelta(days=days),
                    visited_at=NOW if i == 1 and days < 0 else None,
                )
            )
    return rows


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", ["short", "long", "queryset"])
def test_the_first_overdue_visits_are_the_orms(visits, world, mode, size):
    from accounts.models import Center

    subtree = [world.county.pk, world.town.pk, world.village.pk]
    centers = {"short": subtree, "long": [*subtree, *MISSING]}.get(size)
    if centers is None:
        centers = Center.objects.filter(path__startswith=world.county.path)
    today = dt.date(2026, 3, 18)
    orm = FollowUpVisit.objects.filter(
        case__center_id__in=subtree, visited_at__isnull=True, due_on__lt=today
    ).order_by("due_on", "pk")
    assert orm.count() == 5  # six cases' past visits, one of them made
    with _mode(mode), CaptureQueriesContext(connection) as queries:
        first = overdue_visits(centers, NOW, limit=3)
    assert [v.pk for v in first] == list(orm.values_list("pk", flat=True)[:3])
    sql = queries.captured_queries[-1]["sql"]
    fast = connection.vendor == "postgresql" and mode == "native"
    assert ("AS MATERIALIZED" in sql) == fast
    assert _expected_form(mode, len(centers) if size != "queryset" else 3) in sql


@pytest.mark.parametrize("mode", MODES)
def test_the_bulk_writer_writes_what_the_orm_writes(make_case, mode):
    """Plain columns (levels, times, nulls) and prepared ones (decimal, text, boolean) in one statement."""
    written, twins, untouched = [make_case() for _ in range(2)], [make_case() for _ in range(2)], make_case()
    before = Case.objects.values_list("updated_at", "closing_summary").get(pk=untouched.pk)
    moment = local(2026, 3, 20, 10, 30)
    values = [
        (
            WarningLevel.ORANGE,
            WarningLevel.YELLOW,
            WarningLevel.RED,
            moment,
            None,
            moment + dt.timedelta(hours=1),
        ),
        (WarningLevel.BLUE, WarningLevel.BLUE, WarningLevel.BLUE, None, moment, None),
    ]
    extra_fields = ["money_covered", "closing_summary", "prevented_criminal"]
    extras = [(Decimal("36000.50"), "调解成功", True), (None, "", False)]
    fields = [*CASE_LEVEL_FIELDS, *extra_fields]
    level_rows = [(c.pk, *v) for c, v in zip(written, values, strict=True)]
    extra_rows = [(c.pk, *e) for c, e in zip(written, extras, strict=True)]
    with _mode(mode), CaptureQueriesContext(connection) as queries:
        assert update_rows(Case, list(CASE_LEVEL_FIELDS), level_rows) == 2
        assert update_rows(Case, extra_fields, extra_rows) == 2
    assert len(queries.captured_queries) == 2  # one statement per call, whatever the number of rows
    fast = connection.vendor == "postgresql" and mode == "native"
    assert [" FROM unnest(" in q["sql"] for q in queries.captured_queries] == [fast, fast]
    for case, v, e in zip(twins, values, extras, strict=True):  # the same values through the ORM
        for name, value in zip(fields, (*v, *e), strict=True):
            setattr(case, name, value)
    Case.objects.bulk_update(twins, fields)

    got = [Case.objects.values_list(*fields).get(pk=c.pk) for c in written]
    assert got == [Case.objects.values_list(*fields).get(pk=c.pk) for c in twins]
    assert got == [(*v, *e) for v, e in zip(values, extras, strict=True)]
    assert Case.objects.values_list("updated_at", "closing_summary").get(pk=untouched.pk) == before


def _plain(f: dict) -> dict:
    """The figures as plain data; lists whose order ties (same deadline, same moment) as sorted ids."""
    return {
        "by_channel": f["by_channel"],
        "by_center": f["by_center"],
        "red_orange": [c.pk for c in f["red_orange"]],
        "overdue_cases": sorted(c.pk for c in f["overdue_cases"]),
        "overdue_orders": sorted(o.pk for o in f["overdue_orders"]),
        "overdue_summonses": [s.pk for s in f["overdue_summonses"]],
        "overdue_visits": [v.pk for v in f["overdue_visits"]],
        "newly_escalated": sorted(w.pk for w in f["newly_escalated"]),
        "series": f["series"],
        "measures": f["measures"],
        "money_covered": f["money_covered"],
    }


@pytest.mark.usefixtures("data")
def test_the_dashboard_gives_the_same_figures_on_every_path(supervisor, monkeypatch):
    """Native against portable with every id list long: on PostgreSQL ``= ANY``/``MATERIALIZED`` against
    ``IN``/a plain CTE, on SQLite ``IN (…)`` against ``json_each``."""
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as native_sql:
        native = _plain(dashboard_figures(supervisor, PERIOD, now=NOW))
    monkeypatch.setattr(dialect, "IN_LIST_MAX", 0)
    with time_machine.travel(NOW, tick=False), portable_sql(), CaptureQueriesContext(connection) as portable:
        other = _plain(dashboard_figures(supervisor, PERIOD, now=NOW))
    assert other == native
    assert native["overdue_visits"] and native["newly_escalated"] and native["by_center"]  # not empty
    native_text = " ".join(q["sql"] for q in native_sql.captured_queries)
    portable_text = " ".join(q["sql"] for q in portable.captured_queries)
    fast = connection.vendor == "postgresql"
    assert ("= ANY(" in native_text) == fast  # the lists read cases/rollups' PendingItem: no CTE of case ids
    assert "= ANY(" not in portable_text and "MATERIALIZED" not in portable_text
    assert ("json_each(" in portable_text) == (connection.vendor == "sqlite")


def test_no_vendor_branch_outside_the_seam():
    """Product code asks the seam, never the backend: a new ``if vendor ==`` or PostgreSQL-only SQL in a
    selector or service would break the embedded default where CI's PostgreSQL run cannot see it."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    pattern = re.compile(r"\.vendor\b|IS_POSTGRES|= ANY\(|AS MATERIALIZED|unnest\(")
    allowed = {
        root / "mediation_center" / "dialect.py",
        root / "mediation_center" / "settings.py",  # defines IS_POSTGRES for the test markers
        root / "mediation_center" / "prepared.py",  # PostgreSQL's PREPARE itself, on when the seam says so
    }
    found = [
        f"{path.relative_to(root)}:{n}"
        for app in ("accounts", "cases", "routing", "mediation_center")
        for path in sorted((root / app).rglob("*.py"))
        if path not in allowed and "migrations" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line.split("#", 1)[0])  # code, not comments
    ]
    assert found == []
