"""The period measures' rollups (``MeasureDay``/``MeasureDelta``): 按期办结率, 及时签收率, 满意率 and 回访满意率
per center and local day, so the dashboard sums rows per center and day instead of reading the county's
clocks, summonses, ratings and visits.

Each measure is a ``Source``: the table, which of its rows count (the denominator), which of those meet the
measure (the numerator), the timestamp whose local day files the row, and the columns these read. Triggers
(installed with the case rollups' one, ``triggers.install``) write a ``MeasureDelta`` per counted row
inserted (+1), changed in a read column (−1 old, +1 new) or deleted (−1), with the case's center looked
up in the same statement; a change of a case's center (a transfer) moves the case's counted rows (−1 at
the old center, +1 at the new). Inserts only: two transactions of one center never wait for each other.
``recount`` counts the same figures from the tables with the ORM the dashboard used before (the repair,
and what the tests compare with).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncDate

from cases.rollups.models import MeasureDay, MeasureDelta
from mediation_center.dialect import OneOf, local_date_sql, row_trigger_sql

DELTAS = "cases_measuredelta"
CASES = "cases_case"
SATISFIED = 3  # Rating.Score.BASICALLY_SATISFIED and Satisfaction.FAIRLY_SATISFIED: 基本满意 or better


@dataclass(frozen=True)
class Source:
    measure: str  # the key of the dashboard's measure (cases.warnings.selectors.MEASURES)
    model: str  # "app_label.Model"
    at: str  # the timestamp column whose local day files the row
    counted: str  # SQL over ``{r}`` (the row): the row is in the denominator
    hit: str  # SQL over ``{r}``: a counted row meets the measure
    columns: tuple[str, ...]  # what ``counted``/``hit``/``at`` read, with the case

    @property
    def table(self) -> str:
        from django.apps import apps

        return apps.get_model(self.model)._meta.db_table

    def rows(self):
        """The counted rows and the numerator's filter, as the ORM reads them (``recount``)."""
        from django.apps import apps
        from django.db.models import F

        model = apps.get_model(self.model)
        if self.measure == "on_time_rate":
            return (
                model.objects.filter(
                    code="handling", stop_reason__in=["concluded", "closed"], stopped_at__isnull=False
                ),
                Q(stopped_at__lte=F("due_at")),
            )
        if self.measure == "timely_sign_rate":
            return model.objects.all(), Q(responded_at__isnull=False, responded_at__lte=F("deadline"))
        if self.measure == "satisfaction_rate":
            return model.objects.all(), Q(score__gte=SATISFIED)
        return (
            model.objects.filter(satisfaction__isnull=False, visited_at__isnull=False),
            Q(satisfaction__gte=SATISFIED),
        )


SOURCES = (
    Source(
        "on_time_rate",
        "cases.CaseClock",
        "stopped_at",
        "{r}.code = 'handling' AND {r}.stop_reason IN ('concluded', 'closed') AND {r}.stopped_at IS NOT NULL",
        "{r}.stopped_at <= {r}.due_at",
        ("case_id", "code", "stop_reason", "stopped_at", "due_at"),
    ),
    Source(
        "timely_sign_rate",
        "routing.Summons",
        "deadline",
        "{r}.deadline IS NOT NULL",
        "{r}.responded_at IS NOT NULL AND {r}.responded_at <= {r}.deadline",
        ("case_id", "deadline", "responded_at"),
    ),
    Source(
        "satisfaction_rate",
        "cases.Rating",
        "created_at",
        "{r}.created_at IS NOT NULL",
        f"{{r}}.score >= {SATISFIED}",
        ("case_id", "created_at", "score"),
    ),
    Source(
        "visit_satisfaction_rate",
        "cases.FollowUpVisit",
        "visited_at",
        "{r}.satisfaction IS NOT NULL AND {r}.visited_at IS NOT NULL",
        f"{{r}}.satisfaction >= {SATISFIED}",
        ("case_id", "satisfaction", "visited_at"),
    ),
)
MEASURES = tuple(s.measure for s in SOURCES)


def _delta(connection, source: Source, ref: str, sign: int) -> str:
    """One delta for the row ``ref`` (NEW/OLD), filed at its case's center, if the row counts."""
    return (
        f"INSERT INTO {DELTAS} (center_id, measure, day, hit, sign) "
        f"SELECT c.center_id, '{source.measure}', {local_date_sql(f'{ref}.{source.at}', connection)}, "
        f"({source.hit.format(r=ref)}), {sign} FROM {CASES} c "
        f"WHERE c.id = {ref}.case_id AND ({source.counted.format(r=ref)})"
    )


def _moved(connection, source: Source, center: str, sign: int) -> str:
    """The case's counted rows of ``source`` at ``center`` (OLD/NEW.center_id), for a change of center."""
    return (
        f"INSERT INTO {DELTAS} (center_id, measure, day, hit, sign) "
        f"SELECT {center}, '{source.measure}', {local_date_sql(f's.{source.at}', connection)}, "
        f"({source.hit.format(r='s')}), {sign} FROM {source.table} s "
        f"WHERE s.case_id = NEW.id AND ({source.counted.format(r='s')})"
    )


def trigger_names() -> tuple[str, ...]:
    names = [f"{s.table}_measure_{event}" for s in SOURCES for event in ("insert", "update", "delete")]
    return (*names, "cases_measure_move")


def trigger_ddl(connection) -> list[str]:
    statements = []
    for s in SOURCES:
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in s.columns)
        name = f"{s.table}_measure"
        statements += row_trigger_sql(
            connection,
            name=f"{name}_insert",
            table=s.table,
            event="INSERT",
            when="",
            body=[_delta(connection, s, "NEW", 1)],
        )
        statements += row_trigger_sql(
            connection,
            name=f"{name}_update",
            table=s.table,
            event="UPDATE",
            when=changed,
            body=[_delta(connection, s, "OLD", -1), _delta(connection, s, "NEW", 1)],
        )
        statements += row_trigger_sql(
            connection,
            name=f"{name}_delete",
            table=s.table,
            event="DELETE",
            when="",
            body=[_delta(connection, s, "OLD", -1)],
        )
    moves = []
    for s in SOURCES:
        moves += [_moved(connection, s, "OLD.center_id", -1), _moved(connection, s, "NEW.center_id", 1)]
    statements += row_trigger_sql(
        connection,
        name="cases_measure_move",
        table=CASES,
        event="UPDATE",
        when="OLD.center_id IS DISTINCT FROM NEW.center_id",
        body=moves,
    )
    return statements


def tables() -> list[str]:
    return [s.table for s in SOURCES]


# --- folding and reading -----------------------------------------------------------------------------
DELTA_COLUMNS = ("center_id", "measure", "day", "hit", "sign")


def fold_rows(deltas) -> list[tuple]:
    """The deltas ``(center, measure, day, hit, sign)`` as ``MeasureDay`` increments, in key order."""
    days: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for center, measure, day, hit, sign in deltas:
        row = days[(center, measure, day)]
        row[0] += sign
        row[1] += sign if hit else 0
    return sorted((*key, *figures) for key, figures in days.items() if any(figures))


def measure_days(ids: list[int], first: dt.date, last: dt.date) -> dict[str, dict[dt.date, list[int]]]:
    """Per measure and local day from ``first`` to ``last``, summed over the centers: [total, hit]. The
    folded rows plus the pending deltas, one query."""
    integer = IntegerField()
    folded = (
        MeasureDay.objects.filter(OneOf("center_id", ids), day__gte=first, day__lte=last)
        .values_list("measure", "day")
        .annotate(t=Sum("total"), h=Sum("hit"))
        .order_by()
    )
    pending = (
        MeasureDelta.objects.filter(OneOf("center_id", ids), day__gte=first, day__lte=last)
        .values_list("measure", "day")
        .annotate(
            t=Sum("sign"),
            h=Sum(
                When_(
                    When(hit=True, then="sign"), default=Value(0, output_field=integer), output_field=integer
                )
            ),
        )
        .order_by()
    )
    days: dict[str, dict[dt.date, list[int]]] = {m: defaultdict(lambda: [0, 0]) for m in MEASURES}
    for measure, day, total, hit in folded.union(pending, all=True):
        row = days[measure][day]
        row[0] += total or 0
        row[1] += hit or 0
    return days


def period_figures(days: dict[str, dict[dt.date, list[int]]], first: dt.date, last: dt.date) -> dict:
    """Each measure's {"numerator", "denominator"} over the days ``first`` to ``last``."""
    result = {}
    for measure, per_day in days.items():
        total = hit = 0
        for day, (t, h) in per_day.items():
            if first <= day <= last:
                total, hit = total + t, hit + h
        result[measure] = {"numerator": hit, "denominator": total}
    return result


# --- the recount ---------------------------------------------------------------------------------------
def counted() -> dict[tuple, list[int]]:
    """What ``MeasureDay`` should hold, from the tables: {(center, measure, day): [total, hit]}, zero rows
    left out. One grouped query per measure."""
    from cases.core.workcalendar import local_zone

    zone = local_zone()
    result: dict[tuple, list[int]] = {}
    for s in SOURCES:
        rows, hit = s.rows()
        for r in (
            rows.annotate(day=TruncDate(s.at, tzinfo=zone))
            .values("case__center_id", "day")
            .annotate(total=Count("pk"), hit=Count("pk", filter=hit))
            .order_by()
        ):
            if r["total"] or r["hit"]:
                result[(r["case__center_id"], s.measure, r["day"])] = [r["total"], r["hit"]]
    return result


def current() -> dict[tuple, list[int]]:
    """What the measure rollups say now (folded rows plus pending deltas), in the shape of ``counted``."""
    result: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for center, measure, day, total, hit in MeasureDay.objects.values_list(
        "center_id", "measure", "day", "total", "hit"
    ):
        row = result[(center, measure, day)]
        row[0] += total
        row[1] += hit
    for center, measure, day, hit, sign in MeasureDelta.objects.values_list(*DELTA_COLUMNS):
        row = result[(center, measure, day)]
        row[0] += sign
        row[1] += sign if hit else 0
    return {k: v for k, v in result.items() if any(v)}
