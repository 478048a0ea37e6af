"""The one place that knows SQL dialects: PostgreSQL's fast paths and the portable SQL every other backend runs.

Selectors and services build their SQL through these functions and never ask ``connection.vendor``
themselves. On PostgreSQL each function writes the fast form the benchmark needs (an id list as one array
parameter, a ``MATERIALIZED`` CTE, ``UPDATE … FROM unnest(…)``); on SQLite (the embedded default) and any
other backend the same function writes plain SQL with the same answer. ``portable_sql()`` makes PostgreSQL
run the portable forms too, so tests can compare both paths on the same data (tests/test_dialect.py).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, router
from django.db.models import BooleanField, F, Func
from django.db.models.expressions import RawSQL

_portable: ContextVar[bool] = ContextVar("portable_sql", default=False)

# Up to this many ids an ``IN (%s, …)`` list; beyond it SQLite reads them from one JSON parameter
# (``json_each``), clear of its bound-variable limit (999 on builds before 3.32, 32,766 after) whatever
# else the statement binds.
IN_LIST_MAX = 500


def fast_paths(connection) -> bool:
    """Whether ``connection`` runs the PostgreSQL forms (not inside ``portable_sql()``)."""
    return connection.vendor == "postgresql" and not _portable.get()


def concurrent_writers(connection) -> bool:
    """Whether several connections may write at once (a server database; SQLite has one writer)."""
    return connection.vendor == "postgresql"


def server_json(connection) -> bool:
    """Whether the backend aggregates rows with ``json_agg(json_build_array(...))`` and hands the JSON back
    parsed, dates and times as ISO text (PostgreSQL), rather than ``json_group_array`` text (SQLite)."""
    return connection.vendor == "postgresql"


def returning_cte(connection) -> bool:
    """Whether a data-modifying ``WITH x AS (INSERT … RETURNING …) SELECT …`` is available (PostgreSQL)."""
    return connection.vendor == "postgresql"


def unnest_rows(columns: Sequence[tuple[str, str]], alias: str = "v") -> str:
    """PostgreSQL: a row set from parallel array parameters, one ``%s`` per column —
    ``unnest(%s::bigint[], %s::text[]) AS v(case_id, title)`` for ``[("case_id", "bigint"), ("title", "text")]``.
    Callers use it only on the fast path (``fast_paths``)."""
    arrays = ", ".join(f"%s::{kind}[]" for _name, kind in columns)
    names = ", ".join(name for name, _kind in columns)
    return f"unnest({arrays}) AS {alias}({names})"


def path_ids(expression: str, alias: str = "p") -> str:
    """PostgreSQL: the center ids of a materialised ``path`` (``/1/5/17/``) as a row set for a ``FROM``
    (``CROSS JOIN LATERAL path_ids("cc.path")`` gives ``p.id``, one row per center of the path). Callers use
    it only on the fast path (``fast_paths``)."""
    return f"unnest(string_to_array(trim(both '/' from {expression}), '/')::bigint[]) AS {alias}(id)"


@contextmanager
def portable_sql() -> Iterator[None]:
    """Write the portable SQL on every backend inside this block (to compare it with the fast path)."""
    token = _portable.set(True)
    try:
        yield
    finally:
        _portable.reset(token)


# --- an id list ----------------------------------------------------------------------------------
def id_in(column: str, ids: Sequence[int], connection) -> tuple[str, list]:
    """``column`` is one of ``ids``, as SQL and its parameters.

    PostgreSQL: ``column = ANY(%s)``, the ids as one array parameter: the same plan as ``IN (…)``, but
    Django prepares every id of an ``IN`` list in every query (~1 ms a query for a county's 222 centers).
    Elsewhere ``column IN (%s, …)``; on SQLite a long list is one JSON parameter read by ``json_each``."""
    ids = list(ids)
    if fast_paths(connection):
        return f"{column} = ANY(%s)", [ids]
    if not ids:
        return "1 = 0", []
    if len(ids) > IN_LIST_MAX and connection.vendor == "sqlite":
        return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids


class OneOf(Func):
    """A filter: ``column`` (a field name such as ``center_id``) is one of ``ids`` (see ``id_in``)."""

    output_field = BooleanField()

    def __init__(self, column: str, ids: Sequence[int]):
        super().__init__(F(column))
        self.ids = list(ids)

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        sql, id_params = id_in(column, self.ids, connection)
        return (sql if fast_paths(connection) else f"({sql})"), (*params, *id_params)


# --- the first rows of each key, index-bounded -----------------------------------------------------------
def first_ids_per_key(
    queryset, column: str, keys: Sequence[int], limit: int, order: Sequence[str], *, also=()
) -> RawSQL | None:
    """PostgreSQL: a sub-select of the ids of the first ``limit`` rows, in ``order`` (field names, ``-`` for
    descending, ending in a unique one; ``queryset`` and those in ``also`` are ordered so), of the union of
    ``queryset`` for each value of ``column`` in ``keys`` and the querysets in ``also`` — for
    ``filter(pk__in=…)``. Each key is a ``CROSS JOIN LATERAL`` over ``unnest(keys)``: one walk of an index
    that carries the key and the order, stopped after ``limit`` rows, so the work is keys × limit and not
    the rows the keys hold. None on other backends (and inside ``portable_sql()``): the caller reads its
    plain query."""
    from django.core.exceptions import EmptyResultSet

    if not fast_paths(connections[queryset.db]):
        return None
    names = [f"k{i}" for i in range(len(order))]
    picked = {"id_": F("pk"), **{n: F(f.lstrip("-")) for n, f in zip(names, order, strict=True)}}

    def compiled(qs) -> tuple[str, Sequence]:
        return qs.values(**picked)[:limit].query.sql_with_params()

    sql, params = compiled(queryset.filter(**{column: RawSQL("k.key", ())}))
    columns = ", ".join(["id_", *names])
    parts = [f"SELECT {columns} FROM unnest(%s::bigint[]) AS k(key) CROSS JOIN LATERAL ({sql}) AS t"]
    arguments = [list(keys), *params]
    for i, other in enumerate(also):
        try:
            other_sql, other_params = compiled(other)
        except EmptyResultSet:  # a filter that matches nothing (e.g. ``pk__in=[]`` alone)
            continue
        parts.append(f"SELECT {columns} FROM ({other_sql}) AS a{i}")
        arguments += other_params
    by = ", ".join(f"{n} {'DESC' if f.startswith('-') else 'ASC'}" for n, f in zip(names, order, strict=True))
    # UNION, not UNION ALL: a row two parts both hold (a case of the subtree the user also registered) must
    # take one place of the limit, or the page comes out short.
    union = " UNION ".join(parts)
    return RawSQL(f"SELECT id_ FROM ({union}) AS u ORDER BY {by} LIMIT {int(limit)}", arguments)


def first_values_per_key(
    queryset, column: str, keys: Sequence[int], limit: int, order: tuple[str, str], value: str
) -> RawSQL | None:
    """PostgreSQL: a sub-select of ``value`` of the first ``limit`` rows, in ``order`` (two field names, the
    second unique, both ascending or both descending — ``queryset`` is ordered so), of ``queryset`` over the
    keys ``keys`` of ``column``; for ``filter(pk__in=…)``. Like ``first_ids_per_key`` one index walk per key,
    but each walk stops at a bound, so the rows read follow the rows wanted and not keys × limit:

    1. each key's first ``ceil(limit / keys) + 1`` rows (a few rows per key, index-only);
    2. the ``limit``-th of those in ``order`` is the bound: at least ``limit`` rows lie at or before it, so
       every row of the answer does (none when fewer were found: then no bound);
    3. each key's rows up to the bound (``(k0, k1) <= bound`` is an index condition: the walk stops
       there), at most ``limit`` each, and the first ``limit`` of their union.

    The index must lead with the queryset's equality filters, then ``column``, then the two order fields,
    and carry ``value`` (then both walks are index-only). None on other backends (and inside
    ``portable_sql()``): the caller reads its plain query."""
    if not fast_paths(connections[queryset.db]):
        return None
    keys = list(keys)
    descending = order[0].startswith("-")
    first, second = (name.lstrip("-") for name in order)
    meta = queryset.model._meta
    c0, c1 = (f'"{meta.db_table}"."{meta.get_field(name).column}"' for name in (first, second))
    probe_limit = -(-limit // max(len(keys), 1)) + 1
    probe_sql, probe_params = (
        queryset.filter(**{column: RawSQL("k.key", ())})
        .values(k0=F(first), k1=F(second))[:probe_limit]
        .query.sql_with_params()
    )
    # The bound as two scalars (an InitPlan each), past every row when there is none: a row comparison
    # with them is an index condition of each walk.
    direction, beyond, compare = ("DESC", "-infinity", ">=") if descending else ("ASC", "infinity", "<=")
    field0 = meta.get_field(first)
    kind = "date" if field0.get_internal_type() == "DateField" else "timestamptz"
    edge = f"ORDER BY k0 {direction}, k1 {direction} OFFSET {int(limit) - 1} LIMIT 1"
    b0 = f"(SELECT COALESCE((SELECT k0 FROM probe {edge}), '{beyond}'::{kind}))"
    b1 = f"(SELECT COALESCE((SELECT k1 FROM probe {edge}), {'-' if descending else ''}9223372036854775807))"
    bounded = queryset.filter(**{column: RawSQL("k.key", ())}).filter(
        RawSQL(f"({c0}, {c1}) {compare} ({b0}, {b1})", (), output_field=BooleanField())
    )
    walk_sql, walk_params = bounded.values(v=F(value), k0=F(first), k1=F(second))[
        :limit
    ].query.sql_with_params()
    sql = (
        "SELECT unnest(ARRAY("
        f"WITH probe AS MATERIALIZED (SELECT t.k0, t.k1 FROM unnest(%s::bigint[]) AS k(key) "
        f"CROSS JOIN LATERAL ({probe_sql}) AS t) "
        f"SELECT u.v FROM (SELECT t.v, t.k0, t.k1 FROM unnest(%s::bigint[]) AS k(key) "
        f"CROSS JOIN LATERAL ({walk_sql}) AS t) AS u "
        f"ORDER BY u.k0 {direction}, u.k1 {direction} LIMIT {int(limit)}))"
    )
    return RawSQL(sql, [keys, *probe_params, keys, *walk_params])


def rows_of_keys(
    table: str, columns: Sequence[str], column: str, keys: Sequence[int], connection, *, lock: bool = False
) -> tuple[str, list]:
    """A sub-select (for ``FROM (…) AS x``) of ``columns`` of the rows of ``table`` whose ``column`` is one
    of ``keys``; with ``lock``, each row locked ``FOR UPDATE SKIP LOCKED`` (rows another transaction holds
    are left out). PostgreSQL: one index probe per key (``unnest(keys) CROSS JOIN LATERAL``, the per-key
    sub-select fenced with ``OFFSET 0`` so it is not merged into a join), for a table whose statistics
    cannot be trusted — the rollups' delta tables fill and empty every minute, and with ``= ANY(keys)`` the
    planner scanned every row of the table for a subtree's few. Elsewhere the plain filter (``id_in``)."""
    names = ", ".join(columns)
    if not fast_paths(connection):
        where, params = id_in(column, keys, connection)
        return f"SELECT {names} FROM {table} WHERE {where}", params
    locking = " FOR UPDATE SKIP LOCKED" if lock else " OFFSET 0"
    picked = ", ".join(f"t.{name}" for name in columns)
    sql = (
        f"SELECT {picked} FROM unnest(%s::bigint[]) AS k(key) CROSS JOIN LATERAL "
        f"(SELECT {names} FROM {table} WHERE {column} = k.key{locking}) AS t"
    )
    return sql, [list(keys)]


def in_ids_of(column: str, subquery: str, connection) -> str:
    """``column`` is one of the ids ``subquery`` selects. PostgreSQL: ``= ANY(ARRAY(…))``, the sub-select
    run once first (an InitPlan) and the rows then found by ``column``'s index, where ``IN (…)`` may be
    planned as a semi-join scanning the whole table. Elsewhere ``IN (…)``."""
    if fast_paths(connection):
        return f"{column} = ANY(ARRAY({subquery}))"
    return f"{column} IN ({subquery})"


def wait_for_locks_at_most(seconds: float, connection) -> None:
    """For the rest of the current transaction, a statement that waits longer than ``seconds`` for a row
    lock fails (PostgreSQL ``SET LOCAL lock_timeout``; SQLite has one writer and no row locks: nothing)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {max(1, int(seconds * 1000))}")


# --- common table expressions and raw statements -------------------------------------------------------
def materialized_cte(name: str, body: str, connection) -> str:
    """``name AS MATERIALIZED (body)`` on PostgreSQL, where it fences the planner (computed once, joined
    by hash); a plain ``name AS (body)`` elsewhere: the hint changes plans, never answers."""
    hint = "MATERIALIZED " if fast_paths(connection) else ""
    return f"{name} AS {hint}({body})"


class ConnectionSQL(RawSQL):
    """Raw SQL written for the connection the query runs on: ``build(connection)`` gives ``(sql, params)``.
    Use it where plain ``RawSQL`` would need the dialect (the query may go to the reporting replica)."""

    def __init__(self, build: Callable[[object], tuple[str, Sequence]], output_field=None):
        super().__init__("", (), output_field)
        self.build = build

    def as_sql(self, compiler, connection):
        sql, params = self.build(connection)
        return f"({sql})", tuple(params)


# --- the bulk writer ------------------------------------------------------------------------------------
# Column types psycopg adapts as they are, in arrays; others go through the field's own preparation.
_PLAIN_TYPES = {
    "BooleanField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "DateTimeField",
}


def update_rows(model, fields: list[str], rows: list[tuple]) -> int:
    """Write ``(pk, value, …)`` rows into ``fields`` of ``model``'s table, in one statement.

    On PostgreSQL one ``UPDATE … FROM unnest(%s::type[], …)``: Django's ``bulk_update`` builds a
    ``CASE WHEN`` per row and field, which costs seconds for thousands of rows. Elsewhere (SQLite, the
    embedded default) one parameterised ``UPDATE`` run for every row (``executemany``)."""
    if not rows:
        return 0
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    fast = fast_paths(connection)
    if fast and all(c.get_internal_type() in _PLAIN_TYPES for c in columns):
        values = [row[1:] for row in rows]  # psycopg adapts these as they are
    else:
        values = [
            [
                column.get_db_prep_save(value, connection)
                for column, value in zip(columns, row[1:], strict=True)
            ]
            for row in rows
        ]
    with connection.cursor() as cursor:
        if fast:
            types = [meta.pk.rel_db_type(connection)] + [column.db_type(connection) for column in columns]
            arrays = [[row[0] for row in rows]] + [list(column) for column in zip(*values, strict=True)]
            aliases = ", ".join(f"c{i}" for i in range(len(columns)))
            sets = ", ".join(f"{quote(column.column)} = v.c{i}" for i, column in enumerate(columns))
            unnest = ", ".join(f"%s::{t}[]" for t in types)
            cursor.execute(
                f"UPDATE {table} AS t SET {sets} FROM unnest({unnest}) AS v(pk, {aliases}) WHERE t.{pk} = v.pk",
                arrays,
            )
        else:
            sets = ", ".join(f"{quote(column.column)} = %s" for column in columns)
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE {pk} = %s",
                [[*row_values, row[0]] for row, row_values in zip(rows, values, strict=True)],
            )
    return len(rows)


# --- rows inserted where another table's row allows them --------------------------------------------------
def insert_rows_where(
    model,
    fields: list[str],
    rows: list[tuple],
    *,
    where_from: str,
    where: str,
    where_params: Sequence,
    extra: dict[str, str],
    returning: Sequence[str],
) -> list[tuple]:
    """Insert ``rows`` (values of ``fields``, in this order) into ``model``'s table only for the rows that
    ``where`` allows, joined with ``where_from`` (e.g. ``accounts_externalsystem s``), in one statement:
    ``INSERT … SELECT … FROM (<rows>) v, <where_from> WHERE <where> ORDER BY v.n RETURNING …``. ``where`` may
    name the rows' columns as ``v.<column>``; ``extra`` maps further columns to SQL over ``where_from``
    (``{"system_id": "s.id"}``). Row values go through each field's own preparation; on PostgreSQL each is
    cast to its column's type (a literal row set is text otherwise). The rows keep their order (``ORDER BY``,
    so ids grow with it). Answers the ``returning`` columns of the rows written."""
    if not rows:
        return []
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    typed = connection.vendor == "postgresql"
    params: list = []
    selects = []
    for n, row in enumerate(rows):
        cells = ["%s AS n"] if n == 0 else ["%s"]
        params.append(n)
        for column, value in zip(columns, row, strict=True):
            params.append(column.get_db_prep_save(value, connection))
            cell = f"CAST(%s AS {column.db_type(connection)})" if typed else "%s"
            cells.append(f"{cell} AS {quote(column.column)}" if n == 0 else cell)
        selects.append("SELECT " + ", ".join(cells))
    names = [quote(c.column) for c in columns] + [quote(name) for name in extra]
    values = [f"v.{quote(c.column)}" for c in columns] + list(extra.values())
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(names)}) "
        f"SELECT {', '.join(values)} FROM ({' UNION ALL '.join(selects)}) v, {where_from} "
        f"WHERE {where} ORDER BY v.n RETURNING {', '.join(quote(r) for r in returning)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *where_params])
        return list(cursor.fetchall())


def json_list_empty_or_has(column: str, item: str, connection) -> str:
    """SQL: the JSON list in ``column`` is empty, or holds the text ``item`` (an SQL expression)."""
    if connection.vendor == "postgresql":
        return f"({column} = '[]'::jsonb OR {column} @> jsonb_build_array({item}))"
    return (
        f"(json_array_length({column}) = 0 OR EXISTS (SELECT 1 FROM json_each({column}) j "
        f"WHERE j.value = {item}))"
    )


# --- row triggers (the case rollups, cases/rollups) ------------------------------------------------
def local_date_sql(expression: str, connection) -> str:
    """The local calendar date (settings.TIME_ZONE) of a timestamp column, as SQL a trigger can hold.

    PostgreSQL converts with the zone's rules; SQLite (which stores UTC text) adds the zone's current
    offset, exact for zones without daylight saving (Asia/Shanghai, the deployment's zone)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.utils import timezone

    zone = settings.TIME_ZONE
    if connection.vendor == "postgresql":
        return f"(({expression}) AT TIME ZONE '{zone}')::date"
    offset = timezone.now().astimezone(ZoneInfo(zone)).utcoffset() or dt.timedelta(0)
    # whole seconds: SQLite reads time in milliseconds, so 23:59:59.999999 would round into the next day
    return f"date(substr({expression}, 1, 19), '{int(offset.total_seconds())} seconds')"


def row_trigger_sql(
    connection, *, name: str, table: str, event: str, when: str, body: list[str]
) -> list[str]:
    """DDL that (re)creates an ``AFTER {event} … FOR EACH ROW`` trigger running ``body`` (portable
    statements naming ``NEW``/``OLD``) when ``when`` holds; idempotent, so it can run after every migrate
    (SQLite drops a table's triggers when a migration rebuilds the table)."""
    statements = "; ".join(body)
    condition = f" WHEN ({when})" if when else ""
    if connection.vendor == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {statements}; RETURN NULL; END $$",
            f"CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} "
            f"EXECUTE FUNCTION {name}_fn()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {name}",
        f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} BEGIN {statements}; END",
    ]


def lock_against_writes(table: str, connection) -> None:
    """Let the current transaction read ``table`` while nobody else writes it (a consistent recount).

    PostgreSQL: ``LOCK TABLE … IN SHARE MODE`` (writers wait until commit). SQLite has one writer at a
    time: the caller's first write takes the database's write lock, so nothing is needed here."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(table)} IN SHARE MODE")


# --- rows of several tables in one round trip (a case registered and closed in one call) ----------------
def reserve_ids(counts: Sequence[tuple[type, int]]) -> list[list[int]]:
    """Ids for rows about to be inserted with ``insert_together``, ``counts`` rows of each model, in one
    statement; rows that other rows of the batch point to get theirs before anything is written.

    PostgreSQL: ``nextval`` of each table's own id sequence (as a plain insert would draw). SQLite: the
    table's ``AUTOINCREMENT`` counter (``sqlite_sequence``) is moved past the ids taken, which also takes
    the database's write lock, so no other writer can take them; an insert with explicit ids never lowers
    the counter."""
    if not counts:
        return []
    connection = connections[router.db_for_write(counts[0][0])]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            parts, params = [], []
            for model, n in counts:
                meta = model._meta
                parts.append(
                    "ARRAY(SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s))"
                )
                params += [quote(meta.db_table), meta.pk.column, n]
            cursor.execute(f"SELECT {', '.join(parts)}", params)
            return [list(ids) for ids in cursor.fetchone()]
        reserved = []
        for model, n in counts:
            meta = model._meta
            table = meta.db_table
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s RETURNING seq", [n, table]
            )
            row = cursor.fetchone()
            if row is None:  # the table never had a row: its counter starts at its largest id
                cursor.execute(
                    f"INSERT INTO sqlite_sequence (name, seq) SELECT %s, COALESCE(MAX({quote(meta.pk.column)}), 0)"
                    f" + %s FROM {quote(table)} RETURNING seq",
                    [table, n],
                )
                row = cursor.fetchone()
            reserved.append(list(range(row[0] - n + 1, row[0] + 1)))
        return reserved


def insert_together(groups: Sequence[tuple[Sequence, bool]]) -> None:
    """Insert ``groups`` — ``(objs, raw)``, the objects of one model each, in this order — with no
    ``RETURNING``: every row that another points to already has its id (``reserve_ids``); the others take
    their table's default. ``raw`` keeps the values as set (no ``auto_now`` stamps), as ``save_base(raw=True)``.
    Each group is the multi-row ``INSERT`` Django's ``bulk_create`` writes; on PostgreSQL all of them go in
    one round trip (one ``execute`` of the statements joined), elsewhere one after another."""
    from django.db.models.sql import InsertQuery

    groups = [(list(objs), raw) for objs, raw in groups if objs]
    if not groups:
        return
    connection = connections[router.db_for_write(type(groups[0][0][0]))]
    statements: list[tuple[str, Sequence]] = []
    for objs, raw in groups:
        model = type(objs[0])
        meta = model._meta
        with_pk = objs[0].pk is not None
        if any((obj.pk is not None) != with_pk for obj in objs):
            raise ValueError(f"{meta.label}: every row has its id, or none has")
        fields = [
            f for f in meta.concrete_fields if not f.generated and (with_pk or f is not meta.auto_field)
        ]
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="insert_together")
        query = InsertQuery(model)
        query.insert_values(fields, objs, raw=raw)
        statements += query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        if fast_paths(connection):
            cursor.execute(
                ";\n".join(sql for sql, _params in statements), [p for _sql, ps in statements for p in ps]
            )
        else:
            for sql, params in statements:
                cursor.execute(sql, params)
    for objs, _raw in groups:
        for obj in objs:
            obj._state.adding, obj._state.db = False, connection.alias


# --- a few related rows as one column ---------------------------------------------------------------------
def json_rows_sql(columns: Sequence[str], source: str, order_by: str, connection) -> str:
    """A scalar sub-select: the rows of ``SELECT columns FROM source ORDER BY order_by`` as one JSON array
    in text, each row an array of ``columns`` (a single column: its value), ``[]`` when there is none.
    ``source`` is ``table alias [JOIN …] WHERE …`` and may name the outer query's columns (a correlated
    sub-select: a page's rows bring their related names along, no query per relation).

    PostgreSQL: ``json_agg(… ORDER BY …)``. Elsewhere (SQLite): ``json_group_array`` over the ordered
    sub-select; an aggregate keeps that order (SQLite never flattens an ordered sub-select into an
    aggregate query, rule 16 of its query flattener). Booleans come back as true/false on PostgreSQL and
    1/0 on SQLite."""
    if server_json(connection):
        row = columns[0] if len(columns) == 1 else f"json_build_array({', '.join(columns)})"
        return f"SELECT COALESCE(json_agg({row} ORDER BY {order_by}), '[]')::text FROM {source}"
    names = [f"c{i}" for i in range(len(columns))]
    picked = ", ".join(f"{column} AS {name}" for column, name in zip(columns, names, strict=True))
    row = names[0] if len(names) == 1 else f"json_array({', '.join(names)})"
    return f"SELECT json_group_array({row}) FROM (SELECT {picked} FROM {source} ORDER BY {order_by})"


# --- a statement planned once per connection ---------------------------------------------------------------
def prepared_statements(connection) -> bool:
    """Whether ``execute_prepared`` keeps a server-side plan (PostgreSQL, unless settings
    ``DB_PREPARED_STATEMENTS`` is off: behind a transaction pooler a session's statements are not its own)."""
    from django.conf import settings

    return connection.vendor == "postgresql" and settings.DB_PREPARED_STATEMENTS


def execute_prepared(cursor, sql: str, params: Sequence) -> None:
    """Run ``sql`` (``%s`` placeholders, no literal ``%``) on ``cursor`` as a prepared statement of the
    connection's session: PREPARE once per connection, then EXECUTE with the values, so the server plans
    it once rather than on every call (a statement of many parts spends more on planning than on running).
    A session that lost it (``DISCARD ALL``, a pooler) prepares it again; elsewhere it is a plain execute."""
    connection = cursor.db
    if not prepared_statements(connection):
        cursor.execute(sql, params)
        return
    from django.db import DatabaseError

    name, prepare_sql, execute = _prepared_forms(sql, len(params))
    held = prepared_names(connection)
    if name not in held:
        cursor.execute(prepare_sql)
        held.add(name)
        cursor.execute(execute, params)
        return
    try:
        cursor.execute(execute, params)
    except DatabaseError as exc:
        if getattr(exc.__cause__, "pgcode", None) != "26000" or connection.in_atomic_block:
            raise  # (in a transaction the error has ended it: the caller must see it)
        cursor.execute(prepare_sql)
        cursor.execute(execute, params)


def prepared_names(connection) -> set[str]:
    """The names of the statements prepared in ``connection``'s current session (by ``execute_prepared``
    and by the prepared reads of mediation_center/prepared.py): empty again for a new session."""
    raw = connection.connection
    held = getattr(connection, "_prepared_names", None)
    if held is None or held[0] is not raw:  # a new connection: nothing of ours is prepared in its session
        held = connection._prepared_names = (raw, set())
    return held[1]


@functools.cache
def _prepared_forms(sql: str, count: int) -> tuple[str, str, str]:
    """The name, the PREPARE and the EXECUTE (``%s`` per value) of ``sql``, found once per statement."""
    pieces = sql.split("%s")
    if "%%" in sql or len(pieces) != count + 1:
        raise ValueError("execute_prepared: one %s per parameter and no literal %")
    name = "p_" + hashlib.sha1(sql.encode()).hexdigest()[:16]
    numbered = "".join(piece + (f"${i}" if i <= count else "") for i, piece in enumerate(pieces, 1))
    execute = f"EXECUTE {name}({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}"
    return name, f"PREPARE {name} AS {numbered}", execute
