"""The dashboard's lists take the subtree's first items from ``PendingItem`` with walks stopped at a bound
(``dialect.first_values_per_key`` on PostgreSQL): the same items, in the same order, as sorting all of the
centers' rows — on skewed random rows (empty centers, one center holding most rows, equal dates), for
every kind's order, several limits, and with or without the date filter. On SQLite the portable read is
checked against the same sort."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.utils import timezone

from cases.rollups import pending
from cases.rollups.models import PendingItem
from mediation_center.dialect import portable_sql

pytestmark = pytest.mark.django_db

BASE = timezone.make_aware(dt.datetime(2026, 4, 1, 8))


def _rows(seed: int) -> list[PendingItem]:
    rng = random.Random(seed)
    rows, item = [], 0
    for center in range(1, 41):
        n = rng.choice([0, 0, 1, 2, 3, 5, 12, 40]) if center != 7 else 400  # center 7 holds most
        for _ in range(n):
            item += 1
            hours = rng.choice([0, 1, 1, 5]) * 24 + rng.randrange(48)  # many equal times
            for kind in ("escalation", "visit"):
                rows.append(
                    PendingItem(
                        kind=kind,
                        item_id=item,
                        case_id=item,
                        center_id=center,
                        at=BASE + dt.timedelta(hours=hours) if kind == "escalation" else None,
                        day=(BASE + dt.timedelta(hours=hours)).date() if kind == "visit" else None,
                    )
                )
    return rows


def _expected(rows, kind, ids, *, before=None, since=None, limit, descending=False):
    field = "at" if kind == "escalation" else "day"
    chosen = [
        r
        for r in rows
        if r.kind == kind
        and r.center_id in ids
        and (before is None or getattr(r, field) < before)
        and (since is None or getattr(r, field) >= since)
    ]
    chosen.sort(key=lambda r: (getattr(r, field), r.item_id), reverse=descending)
    return [r.item_id for r in chosen[:limit]]


def _read(kind, ids, **kwargs):
    """The items ``first_items`` picks, in the list's order."""
    field = "at" if kind == "escalation" else "day"
    sign = "-" if kwargs.get("descending") else ""
    picked = PendingItem.objects.filter(kind=kind, item_id__in=pending.first_items(kind, ids, **kwargs))
    return list(picked.order_by(sign + field, sign + "item_id").values_list("item_id", flat=True))


@pytest.mark.parametrize("seed", [1, 2])
def test_the_bounded_walks_give_the_first_items_of_the_subtree(seed):
    rows = _rows(seed)
    PendingItem.objects.bulk_create(rows)
    all_centers = list(range(1, 41))
    subtrees = [all_centers, [c for c in all_centers if c != 7], [7, 8, 9], [3], [99]]
    checked = 0
    for ids in subtrees:
        for limit in (1, 2, 7, 100):
            cases = [
                ("escalation", {"since": BASE + dt.timedelta(hours=30), "descending": True}),
                ("escalation", {"descending": True}),
                ("visit", {"before": (BASE + dt.timedelta(days=3)).date()}),
                ("visit", {}),
            ]
            for kind, filters in cases:
                expected = _expected(rows, kind, set(ids), limit=limit, **filters)
                assert _read(kind, ids, limit=limit, **filters) == expected, (ids, limit, kind, filters)
                if connection.vendor == "postgresql":
                    with portable_sql():
                        assert _read(kind, ids, limit=limit, **filters) == expected
                checked += bool(expected)
    assert checked > 40
