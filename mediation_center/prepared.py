"""Prepared reads: a page's SELECTs are planned once per database connection, not on every request.

On PostgreSQL the hot pages spend more time planning their statements than running them (EXPLAIN
SUMMARY at 100,000 cases: the case page's statements 5.1 ms planning against 1.1 ms execution, the
dashboard's 12.0 against 9.7). Django sends every statement as text with its values inlined, so the
server plans it again each time. ``PreparedReadsMiddleware`` wraps each GET and HEAD request with an
execute wrapper that sends a plain read as ``PREPARE`` once per connection and ``EXECUTE`` afterwards;
the server keeps the statement's parse and, once its plans are alike, one generic plan.

What is prepared: a single ``SELECT`` (or a ``WITH`` that only reads) with positional values, no literal
``%``, no row locks, on an unnamed cursor, from the second time its text runs on the connection (a text
with values written into it, run once, is not worth a PREPARE, nor is a connection opened for one request).
Everything else runs as before. A statement is kept only
where the server infers for each value the type the inlined value would have had (checked once per
statement text against ``pg_prepared_statements``), so a prepared read returns exactly what the plain
one returns. A statement the server refuses to prepare is remembered and runs plainly. Each
connection holds at most ``MAX_PER_CONNECTION`` statements (least recently used ones are deallocated).
A session that lost its statements (``DISCARD ALL``, a pooler) prepares them again.

Off with ``DB_PREPARED_STATEMENTS=0`` (behind a transaction-pooling PgBouncer), and on SQLite.
Query logs and ``CaptureQueriesContext`` still show the original SQL (mediation_center/db/postgresql).
"""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from collections import OrderedDict
from contextlib import ExitStack

from django.db import DatabaseError, connections

from mediation_center import dialect

MAX_PER_CONNECTION = 300

_WRITES_OR_LOCKS = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|FOR\s+(NO\s+KEY\s+)?UPDATE|FOR\s+(KEY\s+)?SHARE|NEXTVAL|SETVAL|INTO)\b",
    re.IGNORECASE,
)
MAX_TEXTS = 5000  # the per-process memory below is cleared when it passes this many statement texts
_UNPREPARABLE: set[str] = set()  # texts the server refused, or whose inferred types differ from the values'
_PARAMETER_TYPES: dict[str, tuple[str, ...]] = {}  # text -> the types the server inferred for its values
_KINDS_FIT: dict[str, tuple[list, set]] = {}  # text -> (its bounded integer values, the value kinds that fit)

# The integer types a Python int may be sent as without a range error its inlined literal would not raise.
_INTEGER = {"smallint": 2**15, "integer": 2**31, "bigint": 2**63, "numeric": None, "real": None, "double precision": None}
_FLOAT = {"real", "double precision", "numeric"}


def _fits(value, pg_type: str) -> bool:
    """Whether ``value``, sent as a parameter of ``pg_type``, means what its inlined literal means.

    psycopg2 inlines strings as untyped literals (resolved from context, as a parameter is), numbers
    and booleans bare, dates and times with a cast. A value whose literal would take another type than
    the parameter's (a number where the server inferred text, a timestamp where it inferred a date)
    does not fit, and the statement then runs unprepared."""
    if value is None or isinstance(value, str):
        return True
    if isinstance(value, bool):
        return pg_type == "boolean"
    if isinstance(value, int):
        if pg_type not in _INTEGER:
            return False
        bound = _INTEGER[pg_type]
        return bound is None or -bound <= value < bound
    if isinstance(value, float):
        return pg_type in _FLOAT
    if isinstance(value, decimal.Decimal):
        return pg_type == "numeric"
    if isinstance(value, datetime.datetime):
        return pg_type == ("timestamp with time zone" if value.tzinfo else "timestamp without time zone")
    if isinstance(value, datetime.date):
        return pg_type == "date"
    if isinstance(value, datetime.time):
        return pg_type.startswith("time ")
    if isinstance(value, uuid.UUID):
        return pg_type == "uuid"
    if isinstance(value, list):  # inlined as ARRAY[…] (a tuple is inlined as a row: not sent as an array)
        return pg_type.endswith("[]") and _list_fits(value, pg_type[:-2])
    return False  # tuples, bytes, JSON adapters, ranges: left to the plain path


def _list_fits(values: list, pg_type: str) -> bool:
    """``_fits`` for each item of a list of ids or names, at C speed: one kind of item, checked once (for
    integers, the smallest and the largest)."""
    if not values:
        return True
    kinds = set(map(type, values))
    if len(kinds) != 1:
        return all(_fits(item, pg_type) for item in values)
    if kinds == {int}:
        return _fits(min(values), pg_type) and _fits(max(values), pg_type)
    return _fits(values[0], pg_type)


def _values_fit(sql: str, params, types: tuple[str, ...]) -> bool:
    """Whether each of ``params`` fits its parameter's type. A statement runs with the same kinds of values
    (ints, strings, None) again and again: once a combination of kinds has fitted, only the integers
    sent to a smallint or integer parameter are checked again (their range), not every value."""
    kinds = tuple(map(type, params))
    known = _KINDS_FIT.get(sql)
    if known is not None and kinds in known[1]:
        return all(type(params[i]) is not int or -bound <= params[i] < bound for i, bound in known[0])
    if len(types) != len(params) or not all(map(_fits, params, types)):
        return False
    if list not in kinds:
        if known is None:
            bounded = [(i, _INTEGER[t]) for i, t in enumerate(types) if t in ("smallint", "integer")]
            known = _KINDS_FIT[sql] = (bounded, set())
        known[1].add(kinds)
    return True


def _candidate(sql: str, params, many: bool, cursor) -> bool:
    if many or not isinstance(params, (list, tuple)) or not params or sql in _UNPREPARABLE:
        return False
    head = sql.lstrip()[:6].upper()
    if head != "SELECT" and not head.startswith("WITH"):
        return False
    if "%%" in sql or getattr(cursor, "name", None) or _WRITES_OR_LOCKS.search(sql):
        return False
    return True


def _second_time(connection, sql: str) -> bool:
    """Whether ``sql`` has run before on this connection's session. A statement is prepared on its second
    run there: a text with values written into it, run once, is not worth a PREPARE, nor is anything on a
    connection opened for one request (``DB_CONN_MAX_AGE=0``), where a PREPARE would be one more round trip
    and no plan would be used twice. Bounded: past ``MAX_TEXTS`` texts each memory starts again."""
    seen = _session(connection)[1]
    if sql in seen:
        return True
    for memory in (seen, _UNPREPARABLE, _PARAMETER_TYPES, _KINDS_FIT):
        if len(memory) >= MAX_TEXTS:
            memory.clear()
    seen.add(sql)
    return False


def _session(connection) -> tuple[OrderedDict, set]:
    """What this process knows of the connection's current session: the statements the prepared reads hold
    there (least recently used first) and the texts run there once."""
    raw = connection.connection
    held = getattr(connection, "_prepared_lru", None)
    if held is None or held[0] is not raw:  # a new connection: nothing of ours is prepared in its session
        held = connection._prepared_lru = (raw, OrderedDict(), set())
    return held[1], held[2]


def _prepare(execute, sql, params, context, name, prepare_sql) -> bool:
    """PREPARE ``sql`` in this session; False (and remembered) where the server refuses it or infers
    types other than the values'. In a transaction the attempt runs in a savepoint, so a refusal
    leaves the transaction as it was."""
    # A savepoint of our own, sent below Django's query log, so a page's query count stays what it was.
    savepoint = context["connection"].in_atomic_block
    if savepoint:
        execute("SAVEPOINT prepared_read", None, False, context)
    try:
        execute(prepare_sql, None, False, context)
        types = _PARAMETER_TYPES.get(sql)
        if types is None:
            execute(
                "SELECT t::text FROM pg_prepared_statements, unnest(parameter_types) WITH ORDINALITY AS u(t, i) "
                "WHERE name = %s ORDER BY i",
                [name],
                False,
                context,
            )
            types = _PARAMETER_TYPES[sql] = tuple(row[0] for row in context["cursor"].fetchall())
    except DatabaseError as exc:
        if savepoint:
            execute("ROLLBACK TO SAVEPOINT prepared_read", None, False, context)
            execute("RELEASE SAVEPOINT prepared_read", None, False, context)
        code = getattr(exc.__cause__, "pgcode", None)
        if code == "42P05":  # prepared already (by dialect.execute_prepared): use it, leave it to its owner
            return True
        _UNPREPARABLE.add(sql)
        return False
    if savepoint:
        execute("RELEASE SAVEPOINT prepared_read", None, False, context)
    if not _values_fit(sql, params, types):
        _UNPREPARABLE.add(sql)
        execute(f"DEALLOCATE {name}", None, False, context)
        return False
    return True


def _hold(execute, context, held: OrderedDict, name: str) -> None:
    """Note ``name`` as prepared in the session, deallocating the least recently used past the bound."""
    names = dialect.prepared_names(context["connection"])
    held[name] = None
    names.add(name)
    while len(held) > MAX_PER_CONNECTION:
        old, _ = held.popitem(last=False)
        names.discard(old)
        execute(f"DEALLOCATE {old}", None, False, context)


def prepared_reads_wrapper(execute, sql, params, many, context):
    """The execute wrapper: a plain read goes through its connection's prepared statement."""
    if not _candidate(sql, params, many, context["cursor"]):
        return execute(sql, params, many, context)
    types = _PARAMETER_TYPES.get(sql)
    if types is not None and not _values_fit(sql, params, types):
        return execute(sql, params, many, context)  # these values would not mean what they mean inlined
    try:
        name, prepare_sql, execute_sql = dialect._prepared_forms(sql, len(params))
    except ValueError:
        _UNPREPARABLE.add(sql)
        return execute(sql, params, many, context)
    connection = context["connection"]
    held = _session(connection)[0]
    if name in held:
        held.move_to_end(name)
    elif name not in dialect.prepared_names(connection):
        if not _second_time(connection, sql):
            return execute(sql, params, many, context)
        if not _prepare(execute, sql, params, context, name, prepare_sql):
            return execute(sql, params, many, context)
        _hold(execute, context, held, name)
        return execute(execute_sql, params, many, context)
    try:
        return execute(execute_sql, params, many, context)
    except DatabaseError as exc:
        # 26000: the session lost it (DISCARD ALL, a pooler); 0A000: a table it reads changed shape.
        if getattr(exc.__cause__, "pgcode", None) not in ("26000", "0A000") or connection.in_atomic_block:
            raise  # (in a transaction the error has ended it: the caller must see it)
        held.pop(name, None)
        dialect.prepared_names(connection).discard(name)
        if exc.__cause__.pgcode == "0A000":
            execute(f"DEALLOCATE {name}", None, False, context)
        if not _prepare(execute, sql, params, context, name, prepare_sql):
            return execute(sql, params, many, context)
        _hold(execute, context, held, name)
        return execute(execute_sql, params, many, context)


class PreparedReadsMiddleware:
    """Runs each GET and HEAD request with ``prepared_reads_wrapper`` on every PostgreSQL connection."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with ExitStack() as stack:
            for connection in connections.all(initialized_only=False):
                if dialect.prepared_statements(connection):
                    stack.enter_context(connection.execute_wrapper(prepared_reads_wrapper))
            return self.get_response(request)
