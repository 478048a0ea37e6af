"""Reads of the rollups for a list of center ids: folded rows plus the deltas not folded yet, so every
figure is exact at once. Each read is a fixed number of queries over rows per center (and per day), never
over the centers' cases."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Case as When_
from django.db.models import DecimalField, F, IntegerField, Q, Sum, Value, When

from cases.core.states import OPEN_STATUSES
from cases.rollups.models import CaseCount, CaseDay, MeasureDay, MeasureDelta, RollupDelta
from mediation_center.dialect import OneOf, id_in, materialized_cte, rows_of_keys
from mediation_center.transactions import may_commit

log = logging.getLogger(__name__)

DAY_FIELDS = ("registered", "registered_resolved", "concluded", "concluded_success", "money")


def open_counts(ids: list[int]) -> dict[tuple[int, int, int], int]:
    """Open cases by (center id, warning level, channel id or 0), zero cells left out: one query."""
    counts: dict[tuple[int, int, int], int] = defaultdict(int)
    folded = (
        CaseCount.objects.filter(OneOf("center_id", ids), status__in=OPEN_STATUSES)
        .values_list("center_id", "level", "channel")
        .annotate(s=Sum("n"))
        .order_by()
    )
    pending = (
        RollupDelta.objects.filter(OneOf("center_id", ids), status__in=OPEN_STATUSES)
        .values_list("center_id", "level", "channel")
        .annotate(s=Sum("sign"))
        .order_by()
    )
    for center, level, channel, n in folded.union(pending, all=True):  # one query
        counts[(center, level, channel)] += n
    return {key: n for key, n in counts.items() if n}


def day_figures(ids: list[int], first: dt.date, last: dt.date) -> dict[dt.date, dict]:
    """Per local day from ``first`` to ``last`` (inclusive), summed over the centers: registered, of those
    resolved so far, concluded, of those successful, money covered. One query."""
    days: dict[dt.date, dict] = defaultdict(lambda: dict.fromkeys(DAY_FIELDS, 0))
    integer = IntegerField()
    cash = DecimalField(max_digits=18, decimal_places=2)
    zero, no_money = Value(0, output_field=integer), Value(Decimal(0), output_field=cash)
    folded = (
        CaseDay.objects.filter(OneOf("center_id", ids), day__gte=first, day__lte=last)
        .values_list("day")
        .annotate(**{f"s_{name}": Sum(name) for name in DAY_FIELDS})
        .order_by()
    )
    deltas = RollupDelta.objects.filter(OneOf("center_id", ids))
    resolved = Q(success=True, concluded_day__isnull=False)
    registered = (  # the deltas by the day of registration: registered, of those resolved
        deltas.filter(created_day__gte=first, created_day__lte=last)
        .values_list("created_day")
        .annotate(
            s_registered=Sum("sign"),
            s_registered_resolved=Sum(When_(When(resolved, then="sign"), default=zero, output_field=integer)),
            s_concluded=zero,
            s_concluded_success=zero,
            s_money=no_money,
        )
        .order_by()
    )
    concluded = (  # by the day of conclusion: concluded, of those successful, money
        deltas.filter(concluded_day__gte=first, concluded_day__lte=last)
        .values_list("concluded_day")
        .annotate(
            s_registered=zero,
            s_registered_resolved=zero,
            s_concluded=Sum("sign"),
            s_concluded_success=Sum(
                When_(When(success=True, then="sign"), default=zero, output_field=integer)
            ),
            s_money=Sum(F("sign") * F("money"), output_field=cash),
        )
        .order_by()
    )
    for day, *figures in folded.union(registered, concluded, all=True):  # one query
        row = days[day]
        for name, value in zip(DAY_FIELDS, figures, strict=True):
            row[name] += Decimal(value or 0) if name == "money" else value or 0
    return dict(days)


def sum_days(days: dict[dt.date, dict], first: dt.date, last: dt.date) -> dict:
    total = dict.fromkeys(DAY_FIELDS, 0)
    for day, row in days.items():
        if first <= day <= last:
            for name in DAY_FIELDS:
                total[name] += row[name]
    return total


def case_total(ids: list[int], where: Q, *, beyond: list | None = None, cap: int) -> int:
    """How many cases of the centers ``ids`` match ``where`` (a filter on the rollups' columns: ``status``,
    ``level``, ``channel``, ``center_id``) — the folded rows plus the pending deltas, rows per center and not
    cases — plus up to ``cap + 1`` cases of the union of ``beyond`` (querysets of cases outside those centers,
    a case two of them hold counted once; counted from the cases). One query."""
    parts = [
        CaseCount.objects.filter(OneOf("center_id", ids)).filter(where).values("n"),
        RollupDelta.objects.filter(OneOf("center_id", ids)).filter(where).values("sign"),
    ]
    sqls, params = [], []
    for i, (column, queryset) in enumerate(zip(("n", "sign"), parts, strict=True)):
        try:
            sql, part_params = queryset.query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing
            continue
        sqls.append(f'SELECT p{i}."{column}" AS v FROM ({sql}) AS p{i}')
        params += part_params
    # Each alternative through its own index (an OR of them is one bitmap scan of every row's heap page), at
    # most cap + 1 ids each: if the union holds no more than cap, no alternative was cut short.
    alternatives = []
    for queryset in beyond or []:
        try:
            sql, part_params = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        except EmptyResultSet:
            continue
        alternatives.append(f"SELECT * FROM ({sql}) AS a{len(alternatives)}")
        params += part_params
    if alternatives:
        union = " UNION ".join(alternatives)
        sqls.append(f"SELECT 1 AS v FROM (SELECT * FROM ({union}) AS u LIMIT {int(cap) + 1}) AS beyond")
    if not sqls:
        return 0
    with connections[parts[0].db].cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(SUM(v), 0) FROM ({' UNION ALL '.join(sqls)}) AS parts", params)
        return int(cursor.fetchone()[0])


# --- the dashboard's rollups in one statement, its pending deltas bounded --------------------------------
# A subtree with more pending deltas than this is folded before the dashboard reads it (the beat folds every
# minute; an escalation wave can leave hundreds of thousands meanwhile, and the reader adds each one).
PENDING_BOUND = 2000
# The dashboard's own fold: chunks of this many deltas, each its own transaction, none started after
# FOLD_SECONDS (what is left then is read as pending deltas: exact, only slower).
FOLD_CHUNK = 5000
FOLD_SECONDS = 2.0
CENTS = Decimal("0.01")
DELTA_COLUMNS = (
    "status",
    "level",
    "channel",
    "center_id",
    "created_day",
    "concluded_day",
    "success",
    "money",
    "sign",
)
MEASURE_COLUMNS = ("measure", "day", "hit", "sign")


@dataclass
class DashboardRollups:
    """``open_counts``, ``day_figures`` and ``measures.measure_days`` of one subtree, read together."""

    counts: dict[tuple[int, int, int], int]
    days: dict[dt.date, dict]
    measure_days: dict[str, dict[dt.date, list[int]]]


def _dashboard_sql(connection, ids, days: tuple, measure_span: tuple, bound: int | None) -> tuple[str, list]:
    """One statement: the folded rows of the three rollups and the subtree's pending deltas, each delta
    read once (``d``, ``md``: the subtree's deltas, at most ``bound + 1`` of each when bounded — more than
    ``bound`` means the figures are incomplete and the caller folds first). Rows: (part, center, level,
    channel, day, measure, a, b, c, d, money); part 0 the deltas read, 1 open counts, 2 days, 3 measures."""
    in_ids, id_params = id_in("center_id", ids, connection)
    limit = "" if bound is None else f" LIMIT {int(bound) + 1}"
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    date = connection.ops.adapt_datefield_value
    first, last = date(days[0]), date(days[1])
    m_first, m_last = date(measure_span[0]), date(measure_span[1])
    d_rows, d_params = rows_of_keys(RollupDelta._meta.db_table, DELTA_COLUMNS, "center_id", ids, connection)
    md_rows, md_params = rows_of_keys(
        MeasureDelta._meta.db_table, MEASURE_COLUMNS, "center_id", ids, connection
    )
    d = materialized_cte("d", f"SELECT * FROM ({d_rows}) AS p{limit}", connection)
    md = materialized_cte("md", f"SELECT * FROM ({md_rows}) AS p{limit}", connection)
    no_int, no_date, no_text = "CAST(NULL AS INTEGER)", "CAST(NULL AS DATE)", "CAST(NULL AS VARCHAR(24))"
    no_money, zero = "CAST(0 AS NUMERIC)", "CAST(0 AS BIGINT)"
    parts = [
        (
            f"SELECT 0, {no_int}, {no_int}, {no_int}, {no_date}, {no_text}, (SELECT COUNT(*) FROM d), "
            f"(SELECT COUNT(*) FROM md), {zero}, {zero}, {no_money}",
            [],
        ),
        (  # open cases by (center, level, channel): folded, then pending
            f"SELECT 1, center_id, level, channel, {no_date}, {no_text}, SUM(n), {zero}, {zero}, {zero}, "
            f"{no_money} FROM {CaseCount._meta.db_table} WHERE {in_ids} AND status IN ({statuses}) "
            "GROUP BY center_id, level, channel",
            [*id_params, *OPEN_STATUSES],
        ),
        (
            f"SELECT 1, center_id, level, channel, {no_date}, {no_text}, SUM(sign), {zero}, {zero}, {zero}, "
            f"{no_money} FROM d WHERE status IN ({statuses}) GROUP BY center_id, level, channel",
            [*OPEN_STATUSES],
        ),
        (  # per day: folded, pending by the day of registration, pending by the day of conclusion
            f"SELECT 2, {no_int}, {no_int}, {no_int}, day, {no_text}, SUM(registered), "
            "SUM(registered_resolved), SUM(concluded), SUM(concluded_success), SUM(money) "
            f"FROM {CaseDay._meta.db_table} WHERE {in_ids} AND day >= %s AND day <= %s GROUP BY day",
            [*id_params, first, last],
        ),
        (
            f"SELECT 2, {no_int}, {no_int}, {no_int}, created_day, {no_text}, SUM(sign), "
            f"SUM(CASE WHEN success AND concluded_day IS NOT NULL THEN sign ELSE 0 END), {zero}, {zero}, "
            f"{no_money} FROM d WHERE created_day >= %s AND created_day <= %s GROUP BY created_day",
            [first, last],
        ),
        (
            f"SELECT 2, {no_int}, {no_int}, {no_int}, concluded_day, {no_text}, {zero}, {zero}, SUM(sign), "
            "SUM(CASE WHEN success THEN sign ELSE 0 END), SUM(sign * money) "
            "FROM d WHERE concluded_day >= %s AND concluded_day <= %s GROUP BY concluded_day",
            [first, last],
        ),
        (  # per measure and day: folded, then pending
            f"SELECT 3, {no_int}, {no_int}, {no_int}, day, measure, SUM(total), SUM(hit), {zero}, {zero}, "
            f"{no_money} FROM {MeasureDay._meta.db_table} WHERE {in_ids} AND day >= %s AND day <= %s "
            "GROUP BY measure, day",
            [*id_params, m_first, m_last],
        ),
        (
            f"SELECT 3, {no_int}, {no_int}, {no_int}, day, measure, SUM(sign), "
            f"SUM(CASE WHEN hit THEN sign ELSE 0 END), {zero}, {zero}, {no_money} "
            "FROM md WHERE day >= %s AND day <= %s GROUP BY measure, day",
            [m_first, m_last],
        ),
    ]
    sql = f"WITH {d}, {md} " + " UNION ALL ".join(part for part, _params in parts)
    return sql, [*d_params, *md_params, *(p for _part, params in parts for p in params)]


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def read_dashboard_rollups(
    ids: list[int], days: tuple[dt.date, dt.date], measure_span: tuple[dt.date, dt.date], *, bound: int | None
) -> DashboardRollups | None:
    """The subtree's open counts, its days from ``days[0]`` to ``days[1]`` and its measures' days over
    ``measure_span``, folded rows plus pending deltas, in one statement. With ``bound``: None when more than
    ``bound`` deltas of either kind are pending there (the figures would be incomplete)."""
    from cases.rollups.measures import MEASURES

    connection = connections[router.db_for_read(CaseCount)]
    sql, params = _dashboard_sql(connection, ids, days, measure_span, bound)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts: dict[tuple[int, int, int], int] = defaultdict(int)
    per_day: dict[dt.date, dict] = defaultdict(lambda: dict.fromkeys(DAY_FIELDS, 0))
    measure_days: dict[str, dict[dt.date, list[int]]] = {m: defaultdict(lambda: [0, 0]) for m in MEASURES}
    for part, center, level, channel, day, measure, a, b, c, d, money in rows:
        if part == 0:
            if bound is not None and max(a, b) > bound:
                return None
        elif part == 1:
            counts[(center, level, channel)] += a
        elif part == 2:
            row = per_day[_day(day)]
            for name, value in zip(DAY_FIELDS[:4], (a, b, c, d), strict=True):
                row[name] += value or 0
            row["money"] += Decimal(money or 0).quantize(CENTS)
        else:
            row = measure_days[measure][_day(day)]
            row[0] += a or 0
            row[1] += b or 0
    return DashboardRollups({k: n for k, n in counts.items() if n}, dict(per_day), measure_days)


def dashboard_rollups(
    ids: list[int], days: tuple[dt.date, dt.date], measure_span: tuple[dt.date, dt.date]
) -> DashboardRollups:
    """``read_dashboard_rollups`` with the subtree's pending deltas bounded: when more than
    ``PENDING_BOUND`` are pending there, the subtree's deltas are folded first (``fold_rollups(centers=…)``,
    short transactions for at most ``FOLD_SECONDS``; safe beside the sweep's fold), then read again without
    a bound — exact whatever is still pending. One statement in the common case. Inside a caller's
    transaction nothing is folded (its locks would be held until the caller commits): read unbounded."""
    from cases.rollups.services import fold_rollups

    figures = read_dashboard_rollups(ids, days, measure_span, bound=PENDING_BOUND)
    if figures is not None:
        return figures
    if may_commit():
        folded = fold_rollups(centers=ids, chunk=FOLD_CHUNK, seconds=FOLD_SECONDS)
        log.info("dashboard folded %s pending deltas of %s centers before reading", folded, len(ids))
    return read_dashboard_rollups(ids, days, measure_span, bound=None)
