"""Several reads in one round trip: each queryset's rows come back as one JSON array column of a single
``SELECT``, and are turned back into model instances with the ORM's own converters, so they equal what
iterating each queryset would have built (tests/cases/test_batch_load.py compares them field by field).

The case page reads a dozen small tables of one case (sessions, agreement, terms, visits, attachments, the
timeline's first page, ...): as separate statements each costs a round trip and the ORM's per-query work
(~0.3–0.5 ms), far more than its rows. Related rows (``select_related`` / ``prefetch_related``) are not
followed here: the caller loads what they point to in one more batch or query and attaches it with
``attach`` / ``set_prefetched``.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import date

from django.db import connections, models
from django.db.models import Model, QuerySet
from django.utils.dateparse import parse_datetime, parse_time

from mediation_center.dialect import server_json


def _pg_column(field: models.Field, name: str) -> str:
    # json_build_array writes jsonb as nested JSON and numeric as a JSON number (a float in Python): as text
    # they come back the way the driver hands them to the ORM's converters.
    if isinstance(field, (models.JSONField, models.DecimalField)):
        return f"t.{name}::text"
    return f"t.{name}"


@dataclass(frozen=True)
class Statement:
    """The one ``SELECT`` of several querysets and how to turn its columns back into instances."""

    alias: str
    sql: str
    params: tuple
    plans: tuple


def compile_together(querysets: dict[str, QuerySet]) -> Statement:
    """The statement of ``load_together``, to run now or to keep (its SQL is the same for every case of the
    same shape: ``run_statement`` takes other parameters)."""
    alias = next(iter(querysets.values())).db
    connection = connections[alias]
    postgres = server_json(connection)
    quote = connection.ops.quote_name
    parts: list[str] = []
    params: list = []
    plans = []
    for name, queryset in querysets.items():
        model = queryset.model
        fields = list(model._meta.concrete_fields)
        inner = queryset.values_list(*[f.attname for f in fields])
        sql, inner_params = inner.query.get_compiler(using=alias).as_sql()
        if postgres:
            row = ", ".join(_pg_column(f, quote(f.column)) for f in fields)
            parts.append(f"(SELECT COALESCE(json_agg(json_build_array({row})), '[]'::json) FROM ({sql}) t)")
        else:
            row = ", ".join(f"t.{quote(f.column)}" for f in fields)
            parts.append(f"(SELECT json_group_array(json_array({row})) FROM ({sql}) t)")
        params.extend(inner_params)
        # Per column that needs any (the others are taken as they come): its JSON parser (PostgreSQL: JSON has
        # no dates, times or decimals; the driver's column would) and the ORM's converters.
        steps = []
        for i, field in enumerate(fields):
            col = field.get_col(model._meta.db_table)
            parse = _pg_parser(field) if postgres else None
            converters = tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection))
            if parse is not None or converters:
                steps.append((i, parse, col, converters))
        plans.append((name, model, [f.attname for f in fields], len(fields), tuple(steps)))
    return Statement(alias, "SELECT " + ", ".join(parts), tuple(params), tuple(plans))


def run_statement(statement: Statement, params=None) -> dict[str, list[Model]]:
    """Run ``statement`` (with ``params`` in place of its own) and build its instances."""
    connection = connections[statement.alias]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, list(statement.params if params is None else params))
        values = cursor.fetchone()
    return build_rows(statement, values)


def _pg_parser(field: models.Field):
    """How a PostgreSQL JSON value of ``field`` (not null) becomes what the driver returns for the column, or
    None where it is that already."""
    if isinstance(field, models.DateTimeField):
        return parse_datetime
    if isinstance(field, models.DateField):
        return date.fromisoformat
    if isinstance(field, models.TimeField):
        return parse_time
    if isinstance(field, models.DecimalField):
        from decimal import Decimal

        return Decimal
    if isinstance(field, models.UUIDField):
        return uuid.UUID
    return None


def build_rows(statement: Statement, values) -> dict[str, list[Model]]:
    """The instances of ``statement``'s columns ``values`` (a caller that ran the columns inside a statement of
    its own, e.g. the status lookup's)."""
    alias = statement.alias
    connection = connections[alias]
    loaded: dict[str, list[Model]] = {}
    for (name, model, attnames, width, steps), raw in zip(statement.plans, values, strict=True):
        rows = json.loads(raw) if isinstance(raw, str | bytes) else raw
        objects = []
        for row in rows:
            if len(row) != width:
                raise ValueError(f"{name}: {len(row)} columns, {width} fields")
            converted = list(row)
            for i, parse, col, field_converters in steps:
                value = converted[i]
                if parse is not None and value is not None:
                    value = parse(value)
                for converter in field_converters:
                    value = converter(value, col, connection)
                converted[i] = value
            objects.append(model.from_db(alias, attnames, converted))
        loaded[name] = objects
    return loaded


def load_together(querysets: dict[str, QuerySet]) -> dict[str, list[Model]]:
    """``{name: list(queryset)}`` for every queryset (all on one database) in one statement. Only the
    querysets' own rows: no ``select_related`` or ``prefetch_related`` is followed."""
    if not querysets:
        return {}
    return run_statement(compile_together(querysets))


def attach(objects, field_name: str, by_pk: dict) -> None:
    """Set each object's foreign key ``field_name`` from ``by_pk`` (as ``select_related`` would); a key
    missing from ``by_pk`` is left to the ORM's own (lazy) read."""
    for obj in objects:
        field = obj._meta.get_field(field_name)
        value = getattr(obj, field.attname)
        if value is None:
            field.set_cached_value(obj, None)
        elif value in by_pk:
            field.set_cached_value(obj, by_pk[value])


def set_prefetched(obj: Model, accessor: str, related: list) -> None:
    """Make ``obj.<accessor>.all()`` answer ``related`` without a query (as ``prefetch_related`` would)."""
    manager = getattr(obj, accessor)
    cache_name = getattr(manager, "prefetch_cache_name", None) or manager.field.remote_field.cache_name
    queryset = manager.get_queryset()
    queryset._result_cache = list(related)
    queryset._prefetch_done = True
    obj.__dict__.setdefault("_prefetched_objects_cache", {})
    obj._prefetched_objects_cache[cache_name] = queryset
