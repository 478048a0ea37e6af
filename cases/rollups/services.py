"""Folding the pending deltas into the rollup rows, and the full recount that repairs them.

Concurrency: services never touch ``CaseCount``/``CaseDay``; the trigger only inserts ``RollupDelta`` rows
(no lock on a shared row, so two registrations in one center never wait for each other and no update is
lost). A fold takes deltas ``FOR UPDATE SKIP LOCKED`` (two folds at once take different rows), adds them
with one ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` per table (an atomic increment, rows in
key order so two folds cannot deadlock) and deletes exactly the rows it added, in one transaction. On
PostgreSQL a chunk is one statement: ``DELETE … RETURNING`` of the rows taken, the increments computed
from exactly the rows it deleted (``_FOLD_SQL``). The dashboard folds its own subtree's deltas the same
way when too many are pending (``fold_rollups(centers=…, seconds=…)``); with the sweep's fold running at
once each delta is still folded once: a row locked by one fold is skipped by the other.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db import OperationalError, connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from cases.core.models import Case
from cases.core.states import Outcome
from cases.core.workcalendar import local_zone
from cases.rollups import measures, pending
from cases.rollups.models import CaseCount, CaseDay, MeasureDay, MeasureDelta, RollupDelta
from mediation_center.dialect import (
    OneOf,
    fast_paths,
    in_ids_of,
    lock_against_writes,
    rows_of_keys,
    wait_for_locks_at_most,
)
from mediation_center.transactions import entry_point

FOLD_CHUNK = 20_000
UPSERT_ROWS = 500

DAY_FIELDS = ("registered", "registered_resolved", "concluded", "concluded_success", "money")


def _upsert(table: str, keys: tuple[str, ...], values: tuple[str, ...], rows: list[tuple]) -> None:
    """Add ``values`` to the rows under ``keys`` (inserted at the value if missing), ``rows`` in key order."""
    columns = ", ".join((*keys, *values))
    one = (
        "("
        + ", ".join(["%s"] * len(keys) + ["CAST(%s AS NUMERIC)" if v == "money" else "%s" for v in values])
        + ")"
    )
    sets = ", ".join(f"{v} = {table}.{v} + excluded.{v}" for v in values)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_ROWS):
            chunk = rows[start : start + UPSERT_ROWS]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))} "
                f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}",
                [str(v) if isinstance(v, Decimal) else v for row in chunk for v in row],
            )


def _fold(deltas) -> None:
    counts: dict[tuple, int] = defaultdict(int)
    days: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0, Decimal(0)])
    for center, status, level, channel, created, concluded, success, money, sign in deltas:
        counts[(center, status, level, channel)] += sign
        day = days[(center, created)]
        day[0] += sign
        if success and concluded is not None:
            day[1] += sign
        if concluded is not None:
            day = days[(center, concluded)]
            day[2] += sign
            day[3] += sign if success else 0
            day[4] += sign * Decimal(money)
    count_rows = sorted((*key, n) for key, n in counts.items() if n)
    day_rows = sorted((*key, *figures) for key, figures in days.items() if any(figures))
    _upsert(CaseCount._meta.db_table, ("center_id", "status", "level", "channel"), ("n",), count_rows)
    _upsert(CaseDay._meta.db_table, ("center_id", "day"), DAY_FIELDS, day_rows)


DELTA_COLUMNS = (
    "center_id",
    "status",
    "level",
    "channel",
    "created_day",
    "concluded_day",
    "success",
    "money",
    "sign",
)


def _fold_measures(deltas) -> None:
    _upsert(
        MeasureDay._meta.db_table,
        ("center_id", "measure", "day"),
        ("total", "hit"),
        measures.fold_rows(deltas),
    )


# What is folded: the delta table, its columns (after the id) and the function adding them to the rollups.
FOLDS = (
    (RollupDelta, DELTA_COLUMNS, _fold),
    (MeasureDelta, measures.DELTA_COLUMNS, _fold_measures),
)

# PostgreSQL: one chunk in one statement. ``taken`` deletes up to a chunk of deltas nobody else holds
# (``FOR UPDATE SKIP LOCKED``: a fold running at once takes other rows) and returns exactly the rows it
# deleted; the increments are summed from those rows alone and added in key order (``ON CONFLICT … DO
# UPDATE SET n = n + excluded.n``: atomic, and two folds lock rollup rows in the same order). Zero sums
# are left out, as ``_fold`` does.
_TAKE = "WITH taken AS (DELETE FROM {deltas} WHERE {taken} RETURNING {columns})"
_FOLD_CASES_SQL = (
    _TAKE
    + """,
counted AS (
  INSERT INTO {counts} AS r (center_id, status, level, channel, n)
  SELECT center_id, status, level, channel, SUM(sign) FROM taken
  GROUP BY center_id, status, level, channel HAVING SUM(sign) <> 0
  ORDER BY center_id, status, level, channel
  ON CONFLICT (center_id, status, level, channel) DO UPDATE SET n = r.n + excluded.n
),
dated AS (
  INSERT INTO {days} AS r (center_id, day, {day_fields})
  SELECT center_id, day, SUM(a), SUM(b), SUM(c), SUM(d), SUM(m) FROM (
    SELECT center_id, created_day AS day, sign AS a,
      CASE WHEN success AND concluded_day IS NOT NULL THEN sign ELSE 0 END AS b, 0 AS c, 0 AS d,
      CAST(0 AS NUMERIC) AS m
    FROM taken
    UNION ALL
    SELECT center_id, concluded_day, 0, 0, sign, CASE WHEN success THEN sign ELSE 0 END, sign * money
    FROM taken WHERE concluded_day IS NOT NULL
  ) AS x
  GROUP BY center_id, day
  HAVING SUM(a) <> 0 OR SUM(b) <> 0 OR SUM(c) <> 0 OR SUM(d) <> 0 OR SUM(m) <> 0
  ORDER BY center_id, day
  ON CONFLICT (center_id, day) DO UPDATE SET {day_sets}
)
SELECT count(*) FROM taken"""
)
_FOLD_MEASURES_SQL = (
    _TAKE
    + """,
dated AS (
  INSERT INTO {measure_days} AS r (center_id, measure, day, total, hit)
  SELECT center_id, measure, day, SUM(sign), SUM(CASE WHEN hit THEN sign ELSE 0 END) FROM taken
  GROUP BY center_id, measure, day
  HAVING SUM(sign) <> 0 OR SUM(CASE WHEN hit THEN sign ELSE 0 END) <> 0
  ORDER BY center_id, measure, day
  ON CONFLICT (center_id, measure, day) DO UPDATE SET total = r.total + excluded.total, hit = r.hit + excluded.hit
)
SELECT count(*) FROM taken"""
)


def _fold_statement(model, columns: tuple[str, ...], centers: Sequence[int] | None, chunk: int):
    """The one-statement chunk of ``model``'s deltas (PostgreSQL), and its parameters."""
    table = model._meta.db_table
    if centers is None:
        free, params = f"SELECT id FROM {table} FOR UPDATE SKIP LOCKED", []
    else:  # each center's deltas from the index (``rows_of_keys``), not a scan of every center's
        free, params = rows_of_keys(table, ["id"], "center_id", centers, connection, lock=True)
    template = _FOLD_CASES_SQL if model is RollupDelta else _FOLD_MEASURES_SQL
    sql = template.format(
        deltas=table,
        taken=in_ids_of("id", f"SELECT id FROM ({free}) AS free LIMIT {int(chunk)}", connection),
        columns=", ".join(columns),
        counts=CaseCount._meta.db_table,
        days=CaseDay._meta.db_table,
        measure_days=MeasureDay._meta.db_table,
        day_fields=", ".join(DAY_FIELDS),
        day_sets=", ".join(f"{f} = r.{f} + excluded.{f}" for f in DAY_FIELDS),
    )
    return sql, params


def _fold_chunk(model, columns, fold, centers: Sequence[int] | None, chunk: int) -> int:
    """Fold up to ``chunk`` of ``model``'s deltas (of ``centers``, or all) in the caller's transaction."""
    if fast_paths(connection):
        sql, params = _fold_statement(model, columns, centers, chunk)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]
    deltas = model.objects.order_by("pk").select_for_update(skip_locked=True)
    if centers is not None:
        deltas = deltas.filter(OneOf("center_id", centers))
    rows = list(deltas.values_list("pk", *columns)[:chunk])
    if rows:
        fold([row[1:] for row in rows])
        model.objects.filter(pk__in=[row[0] for row in rows]).delete()
    return len(rows)


def _lock_timeout(error: OperationalError) -> bool:
    return getattr(error.__cause__, "pgcode", None) == "55P03"  # lock_not_available


@entry_point(own_transactions=True)  # one transaction per chunk of deltas
def fold_rollups(
    *, chunk: int = FOLD_CHUNK, centers: Sequence[int] | None = None, seconds: float | None = None
) -> int:
    """Fold the pending deltas (the cases' and the measures') into the rollup rows — every center's, or
    only those filed at ``centers`` — and return how many were folded. Safe to run twice or at once (the
    sweep runs it every minute; the dashboard for its subtree, ``selectors.dashboard_rollups``).

    Each chunk of ``chunk`` deltas is its own short transaction. Given ``seconds``, no chunk starts after
    that time, and on PostgreSQL a chunk waits for rollup rows another fold holds at most until then
    (``lock_timeout``): that chunk is rolled back whole and the fold stops (what it would have taken
    stays pending, for the next fold)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    total = 0
    for model, columns, fold in FOLDS:
        while deadline is None or time.monotonic() < deadline:
            try:
                with transaction.atomic(durable=True):
                    if deadline is not None:
                        wait_for_locks_at_most(deadline - time.monotonic(), connection)
                    folded = _fold_chunk(model, columns, fold, centers, chunk)
            except OperationalError as error:
                if deadline is None or not _lock_timeout(error):
                    raise
                return total
            total += folded
            if folded < chunk:
                break
    return total


# --- the full recount ------------------------------------------------------------------------------
def counted_from_cases() -> tuple[dict, dict]:
    """What the rollups should hold, counted from the cases themselves: ({count key: n}, {(center, day):
    [registered, registered_resolved, concluded, concluded_success, money]}), zero rows left out."""
    codes = Outcome.resolved()
    zone = local_zone()
    counts = {
        (r["center_id"], r["status"], r["warning_level"], r["channel_id"] or 0): r["n"]
        for r in Case.objects.values("center_id", "status", "warning_level", "channel_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    days: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0, Decimal(0)])
    for r in (
        Case.objects.annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("center_id", "day")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(outcome__in=codes, concluded_at__isnull=False)))
        .order_by()
    ):
        days[(r["center_id"], r["day"])][0:2] = [r["n"], r["done"]]
    for r in (
        Case.objects.filter(concluded_at__isnull=False)
        .annotate(day=TruncDate("concluded_at", tzinfo=zone))
        .values("center_id", "day")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(outcome__in=codes)), money=Sum("money_covered"))
        .order_by()
    ):
        days[(r["center_id"], r["day"])][2:5] = [r["n"], r["done"], _cents(r["money"])]
    return {k: n for k, n in counts.items() if n}, {k: v for k, v in days.items() if any(v)}


def _cents(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def current_rollups() -> tuple[dict, dict]:
    """What the rollups say now (folded rows plus pending deltas), in the shape of ``counted_from_cases``."""
    counts: dict[tuple, int] = defaultdict(int)
    for center, status, level, channel, n in CaseCount.objects.values_list(
        "center_id", "status", "level", "channel", "n"
    ):
        counts[(center, status, level, channel)] += n
    days: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0, Decimal(0)])
    for center, day, *figures in CaseDay.objects.values_list("center_id", "day", *DAY_FIELDS):
        row = days[(center, day)]
        for i, value in enumerate(figures):
            row[i] += value
    for (
        center,
        status,
        level,
        channel,
        created,
        concluded,
        success,
        money,
        sign,
    ) in RollupDelta.objects.values_list(*DELTA_COLUMNS):
        counts[(center, status, level, channel)] += sign
        row = days[(center, created)]
        row[0] += sign
        row[1] += sign if success and concluded is not None else 0
        if concluded is not None:
            row = days[(center, concluded)]
            row[2] += sign
            row[3] += sign if success else 0
            row[4] += sign * Decimal(money)
    days = {k: [*v[:4], _cents(v[4])] for k, v in days.items()}
    return {k: n for k, n in counts.items() if n}, {k: v for k, v in days.items() if any(v)}


@entry_point
def recount_rollups() -> dict:
    """Replace the rollups with a full recount of the cases; returns how many rows were wrong.

    Cases are not written meanwhile (PostgreSQL: a SHARE lock on the case table; SQLite: the first
    statement is a write, which takes the one write lock), so the recount and the deltas cannot overlap."""
    lock_against_writes(Case._meta.db_table, connection)
    before_counts, before_days = current_rollups()
    RollupDelta.objects.all().delete()
    counts, days = counted_from_cases()
    CaseCount.objects.all().delete()
    CaseDay.objects.all().delete()
    CaseCount.objects.bulk_create(
        [CaseCount(center_id=c, status=s, level=lv, channel=ch, n=n) for (c, s, lv, ch), n in counts.items()],
        batch_size=2000,
    )
    CaseDay.objects.bulk_create(
        [CaseDay(center_id=c, day=d, **dict(zip(DAY_FIELDS, v, strict=True))) for (c, d), v in days.items()],
        batch_size=2000,
    )
    wrong_counts = sum(1 for k in set(counts) | set(before_counts) if counts.get(k) != before_counts.get(k))
    wrong_days = sum(1 for k in set(days) | set(before_days) if days.get(k) != before_days.get(k))
    return {
        "counts": len(counts),
        "days": len(days),
        "wrong_counts": wrong_counts,
        "wrong_days": wrong_days,
        **recount_measures.step(),
        **recount_pending.step(),
    }


@entry_point
def recount_measures() -> dict:
    """Replace the period measures' rollups (``MeasureDay``) with a recount of the clocks, summonses,
    ratings and visits (and the cases, for their centers), written meanwhile by nobody; returns how many
    rows were wrong."""
    for table in (*measures.tables(), Case._meta.db_table):
        lock_against_writes(table, connection)
    before = measures.current()
    MeasureDelta.objects.all().delete()
    figures = measures.counted()
    MeasureDay.objects.all().delete()
    MeasureDay.objects.bulk_create(
        [
            MeasureDay(center_id=c, measure=m, day=d, total=total, hit=hit)
            for (c, m, d), (total, hit) in figures.items()
        ],
        batch_size=2000,
    )
    wrong = sum(1 for k in set(figures) | set(before) if figures.get(k) != before.get(k))
    return {"measures": len(figures), "wrong_measures": wrong}


@entry_point
def recount_pending() -> dict:
    """Rebuild the dashboard's lists by center (``PendingItem``) from the visits, orders, summonses and
    level changes, written meanwhile by nobody; returns how many rows were wrong."""
    for table in (*pending.tables(), Case._meta.db_table):
        lock_against_writes(table, connection)
    return pending.recount()
