"""Reads of the rollups for a list of center ids: folded rows plus the deltas not folded yet, so every
figure is exact at once. Each read is a fixed number of queries over rows per center (and per day), never
over the centers' cases."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case as When_
from django.db.models import DecimalField, F, IntegerField, Q, Sum, Value, When

from cases.core.states import OPEN_STATUSES
from cases.rollups.models import CaseCount, CaseDay, RollupDelta
from mediation_center.dialect import OneOf

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


def case_total(ids: list[int], where: Q, *, beyond=None, cap: int) -> int:
    """How many cases of the centers ``ids`` match ``where`` (a filter on the rollups' columns: ``status``,
    ``level``, ``channel``, ``center_id``) — the folded rows plus the pending deltas, rows per center and not
    cases — plus up to ``cap + 1`` cases of ``beyond`` (a queryset of cases outside those centers, counted
    from the cases). One query."""
    parts = [
        ("n", CaseCount.objects.filter(OneOf("center_id", ids)).filter(where).values("n")),
        ("sign", RollupDelta.objects.filter(OneOf("center_id", ids)).filter(where).values("sign")),
    ]
    if beyond is not None:
        parts.append(("1", beyond.order_by().values("pk")[: cap + 1]))
    sqls, params = [], []
    for i, (column, queryset) in enumerate(parts):
        try:
            sql, part_params = queryset.query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing
            continue
        value = column if column == "1" else f'p{i}."{column}"'
        sqls.append(f"SELECT {value} AS v FROM ({sql}) AS p{i}")
        params += part_params
    if not sqls:
        return 0
    with connections[parts[0][1].db].cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(SUM(v), 0) FROM ({' UNION ALL '.join(sqls)}) AS parts", params)
        return int(cursor.fetchone()[0])
