"""Keyset pagination for the case list: each page starts after the last row of the one before (no OFFSET,
which reads and throws away every earlier row), and the count stops at ``COUNT_CAP`` ("10,000+"), so a
page of a province costs what a page of a village costs.

The list's order is (warning level, registration time, id), all descending; the cursor is those three
values of the page's last (``after``) or first (``before``) row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from mediation_center.dialect import first_ids_per_key

PAGE_SIZE = 25
COUNT_CAP = 10_000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ORDER = ("-warning_level", "-created_at", "-pk")


def cursor_of(case) -> str:
    micros = (case.created_at - EPOCH) // dt.timedelta(microseconds=1)
    return f"{case.warning_level}.{micros}.{case.pk}"


def parse_cursor(text: str) -> tuple[int, dt.datetime, int]:
    """``level.microseconds.id``; raises ``ValueError`` with a message for anything else."""
    parts = text.split(".")
    if len(parts) != 3 or not all(p.isdigit() and len(p) <= 20 for p in parts):
        raise ValueError(_("翻页位置无效：%(value)s（请从第一页重新浏览）") % {"value": text[:40]})
    level, micros, pk = (int(p) for p in parts)
    try:
        at = EPOCH + dt.timedelta(microseconds=micros)
    except OverflowError:
        raise ValueError(_("翻页位置无效：%(value)s（请从第一页重新浏览）") % {"value": text[:40]}) from None
    return level, at, pk


@dataclass
class KeysetPage:
    items: list
    has_next: bool
    has_previous: bool
    count: int  # up to COUNT_CAP
    capped: bool  # more than COUNT_CAP
    next_cursor: str = ""
    previous_cursor: str = ""
    params: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


@dataclass
class Scope:
    """The case list's visibility in the shape ``access.visible_parts`` gives it, each part already narrowed
    by the list's filters: ``filtered`` (the filters alone) for every case of ``centers``, and ``rest`` (the
    filters and the rest of the rule). With it the first page is found center by center through the index
    ``case_list_order`` (center, level, time, id) — the first rows of each center, then of the rest — so a
    page of a county costs what a page of a village costs, however many cases the county holds. A filtered
    list walks an index of the same order that holds its filter (migration 0019): ``case_list_status``
    (center, status, …) for a status, ``case_list_open`` (the open cases, with their channel and deadline) for
    ``open``/``level``/``overdue``, and ``case_list_order`` itself (with the channel and the conclusion time)
    for an exact level, a channel or a day range — read from the index alone, each center stopped after a
    page, so the table gives only the page's own rows. ``rest`` is one queryset per alternative of the rest
    of the rule (``or_parts``): the origin center's cases and the user's own registrations walk
    ``case_list_origin`` and ``case_list_registered_by`` (same order) instead of being sorted whole."""

    centers: list[int]
    filtered: QuerySet
    rest: list[QuerySet]


def keyset_page(
    cases: QuerySet, *, after: str = "", before: str = "", size: int = PAGE_SIZE, scope: Scope | None = None
) -> KeysetPage:
    """One page of ``cases`` in ``ORDER``: the rows and the parties' prefetch (two queries), and with a
    ``scope`` on PostgreSQL one more before them for the candidate ids (``dialect.first_ids_per_key``)."""

    def window(qs: QuerySet, q: Q | None, order) -> QuerySet:
        return (qs.filter(q) if q is not None else qs).order_by(*order)

    if before:
        level, at, pk = parse_cursor(before)
        newer = Q(warning_level__gt=level) | Q(warning_level=level, created_at__gt=at)
        newer |= Q(warning_level=level, created_at=at, pk__gt=pk)
        rows = _first(window, cases, scope, newer, ("warning_level", "created_at", "pk"), size + 1)
        has_previous, rows = len(rows) > size, rows[:size][::-1]
        has_next = True
    else:
        older = None
        if after:
            level, at, pk = parse_cursor(after)
            older = Q(warning_level__lt=level) | Q(warning_level=level, created_at__lt=at)
            older |= Q(warning_level=level, created_at=at, pk__lt=pk)
        rows = _first(window, cases, scope, older, ORDER, size + 1)
        has_next, rows = len(rows) > size, rows[:size]
        has_previous = bool(after)
    return KeysetPage(
        items=rows,
        has_next=has_next and bool(rows),
        has_previous=has_previous and bool(rows),
        count=0,
        capped=False,
        next_cursor=cursor_of(rows[-1]) if rows else "",
        previous_cursor=cursor_of(rows[0]) if rows else "",
    )


def _first(window, cases: QuerySet, scope: Scope | None, q: Q | None, order, n: int) -> list:
    """The first ``n`` of ``cases`` past the cursor ``q``; with a scope, only among the first ``n`` found
    center by center (PostgreSQL, one sub-select of the same query) — the same rows, as every one of the
    first ``n`` is among the first ``n`` of its own center or of the rest."""
    ordered = window(cases, q, order)
    if scope is not None:
        first = first_ids_per_key(
            window(scope.filtered, q, order),
            "center_id",
            scope.centers,
            n,
            order,
            also=[window(part, q, order) for part in scope.rest],
        )
        if first is not None:
            ordered = ordered.filter(pk__in=first)
    return list(ordered[:n])


def capped_count(cases: QuerySet) -> tuple[int, bool]:
    """How many rows ``cases`` has, counting no further than ``COUNT_CAP`` (then "10,000+")."""
    n = cases.order_by().values("pk")[: COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


def or_parts(q: Q) -> list[Q]:
    """The alternatives of a filter ``a | b | (c & d)`` as ``[a, b, c & d]`` (nested ORs flattened); any other
    filter as itself. Their union matches what ``q`` matches."""
    if q.connector != Q.OR or q.negated:
        return [q]
    parts: list[Q] = []
    for child in q.children:
        parts += or_parts(child) if isinstance(child, Q) else [Q(child)]
    return parts
