"""Querysets of a fixed shape, compiled to SQL once per process and run again with other values.

Django compiles a queryset's SQL on every run. For the few reads every staff request makes, compiling cost
more CPU than PostgreSQL spent answering them (measured on the benchmark machine: the case page's case row
with its four related rows 0.87 ms of compiling for 0.14 ms at the cursor; the user's memberships 0.38 of
0.65 ms; bench/README.md "HTTP throughput"). A ``Statement`` builds its queryset once, with stand-in values,
compiles it once per database alias and then only swaps the values in its parameters: the rows still come
back through the queryset's own iterable (model instances with their select_related rows, converters,
values_list tuples), exactly as ``list(queryset)`` gives them.

Only values that reach the SQL parameters unchanged can stand in (integers: primary keys, ids); each
stand-in must appear among the compiled parameters, or building the statement fails. Nothing of the
queryset leaks out: ``rows()`` returns a list, so it cannot be filtered further past its compiled SQL.
"""

import copy
import threading
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

# Stand-ins for the values: integers no id ever takes.
_STAND_IN_BASE = -7_340_000_000_000_000_000


class Statement:
    """``Statement(lambda pk: Case.objects.filter(pk=pk)[:1]).rows(42)`` == ``list(Case.objects.filter(pk=42)[:1])``.

    ``build`` takes the values by position and returns the queryset; ``rows(*values)`` runs it. A shape that
    depends on more than the values (a list's length) is a separate Statement per shape (``statements``)."""

    def __init__(self, build: Callable[..., QuerySet], arity: int | None = None):
        self._build = build
        self._arity = arity if arity is not None else build.__code__.co_argcount
        self._compiled: dict[str, tuple] = {}
        self._probe: QuerySet | None = None
        self._lock = threading.Lock()

    def _stand_in_queryset(self) -> QuerySet:
        if self._probe is None:
            self._probe = self._build(*(_STAND_IN_BASE - i for i in range(self._arity)))
        return self._probe

    def _compile(self, alias: str):
        stand_ins = [_STAND_IN_BASE - i for i in range(self._arity)]
        queryset = self._stand_in_queryset().using(alias)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        params = tuple(params)
        slots = []
        for i, stand_in in enumerate(stand_ins):
            positions = [p for p, value in enumerate(params) if type(value) is int and value == stand_in]
            if not positions:
                raise ValueError(f"value {i} of the statement does not reach its SQL parameters unchanged")
            slots.append(positions)
        return queryset, compiler, sql, params, slots

    def rows(self, *values) -> list:
        if len(values) != self._arity:
            raise TypeError(f"the statement takes {self._arity} values, {len(values)} given")
        with self._lock:
            alias = self._stand_in_queryset().db  # the router's answer now (reporting reads go to a replica)
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(alias)
                if compiled is None:
                    compiled = self._compiled[alias] = self._compile(alias)
        template, compiler, sql, params, slots = compiled
        bound = list(params)
        for positions, value in zip(slots, values, strict=True):
            if type(value) is not int:
                raise TypeError(f"a statement's values are integers, not {type(value).__name__}")
            for position in positions:
                bound[position] = value
        queryset = template._chain()
        run = copy.copy(compiler)
        run.connection = connections[alias]  # this thread's connection, not the compiling thread's
        run.as_sql = lambda *args, **kwargs: (sql, tuple(bound))
        queryset.query.get_compiler = lambda *args, **kwargs: run
        return list(queryset)


class Statements:
    """One ``Statement`` per shape: ``Statements(lambda n: lambda *ids: Case.objects.filter(pk__in=ids))``
    compiles ``pk__in`` once for each number of ids it is given (``rows_for(n, *values)``)."""

    def __init__(self, build_for_shape: Callable, *, arity: Callable[[object], int]):
        self._build_for_shape = build_for_shape
        self._arity = arity
        self._by_shape: dict = {}
        self._lock = threading.Lock()

    def rows(self, shape, *values) -> list:
        statement = self._by_shape.get(shape)
        if statement is None:
            with self._lock:
                statement = self._by_shape.get(shape)
                if statement is None:
                    statement = self._by_shape[shape] = Statement(
                        self._build_for_shape(shape), arity=self._arity(shape)
                    )
        return statement.rows(*values)


class ByPk:
    """``build().filter(pk=pk).first()`` through a compiled ``Statement`` (``first(pk)``), and ``build()`` itself
    for every other use (``queryset``): for a page that reads its main row by primary key on every request."""

    def __init__(self, build: Callable[[], QuerySet]):
        self._build = build

        def first_by_pk(pk):
            queryset = build().filter(pk=pk)
            return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]  # QuerySet.first()

        self._statement = Statement(first_by_pk)

    @property
    def queryset(self) -> QuerySet:
        return self._build()

    def first(self, pk: int):
        rows = self._statement.rows(pk)
        return rows[0] if rows else None
