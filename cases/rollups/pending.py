"""The dashboard's lists filed by center (``PendingItem``): overdue follow-up visits, supervision orders and
summonses, and level rises — so each list reads the subtree's first rows by date from one index instead of
joining every case of the county.

Each list is a ``Source``: the table, which rows are listed, and the column the list is ordered by
(``at`` for a timestamp, ``day`` for a date). Triggers on the table delete the item's row and insert it
again if it is (still) listed, on every insert/update of a read column/delete, with the case's center
looked up in the same statement; a trigger on the case moves its items when its center changes. Every
row is one item's own, so two transactions of one center never wait for each other or lose a write.
``recount`` rebuilds the table from the sources with one ``INSERT … SELECT`` per list and says how many
rows were wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import DateField, DateTimeField, F, IntegerField, Q, Value
from django.db.models.functions import Cast

from cases.rollups.models import PendingItem
from mediation_center.dialect import row_trigger_sql

TABLE = "cases_pendingitem"
CASES = "cases_case"


@dataclass(frozen=True)
class Source:
    kind: str
    model: str  # "app_label.Model"
    column: str  # what the list is ordered by
    field: str  # "at" or "day": where ``column`` goes
    listed: str  # SQL over ``{r}``: the row is listed
    columns: tuple[str, ...]  # what ``listed`` and ``column`` read, with the case

    def model_class(self):
        from django.apps import apps

        return apps.get_model(self.model)

    @property
    def table(self) -> str:
        return self.model_class()._meta.db_table

    def listed_q(self) -> Q:
        """``listed`` as an ORM filter (the recount, and what the tests compare with)."""
        return {
            "visit": Q(visited_at__isnull=True),
            "order": ~Q(state="reported"),
            "summons": Q(state="pending"),
            "escalation": Q(to_level__gt=F("from_level")),
        }[self.kind]


SOURCES = (
    Source(
        "visit",
        "cases.FollowUpVisit",
        "due_on",
        "day",
        "{r}.visited_at IS NULL",
        ("case_id", "visited_at", "due_on"),
    ),
    Source(
        "order",
        "cases.SupervisionOrder",
        "deadline",
        "at",
        "{r}.state <> 'reported'",
        ("case_id", "state", "deadline"),
    ),
    Source(
        "summons",
        "routing.Summons",
        "deadline",
        "at",
        "{r}.state = 'pending'",
        ("case_id", "state", "deadline"),
    ),
    Source(
        "escalation",
        "cases.WarningChange",
        "created_at",
        "at",
        "{r}.to_level > {r}.from_level",
        ("case_id", "from_level", "to_level", "created_at"),
    ),
)
BY_KIND = {s.kind: s for s in SOURCES}


def _insert(s: Source, ref: str) -> str:
    other = "day" if s.field == "at" else "at"
    return (
        f"INSERT INTO {TABLE} (kind, item_id, case_id, center_id, {s.field}, {other}) "
        f"SELECT '{s.kind}', {ref}.id, {ref}.case_id, c.center_id, {ref}.{s.column}, NULL FROM {CASES} c "
        f"WHERE c.id = {ref}.case_id AND ({s.listed.format(r=ref)})"
    )


def _delete(s: Source, ref: str) -> str:
    return f"DELETE FROM {TABLE} WHERE kind = '{s.kind}' AND item_id = {ref}.id"


def trigger_names() -> tuple[str, ...]:
    return (
        *(f"{s.table}_pending_{e}" for s in SOURCES for e in ("insert", "update", "delete")),
        "cases_pending_move",
    )


def trigger_ddl(conn) -> list[str]:
    statements = []
    for s in SOURCES:
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in s.columns)
        name = f"{s.table}_pending"
        statements += row_trigger_sql(
            conn, name=f"{name}_insert", table=s.table, event="INSERT", when="", body=[_insert(s, "NEW")]
        )
        statements += row_trigger_sql(
            conn,
            name=f"{name}_update",
            table=s.table,
            event="UPDATE",
            when=changed,
            body=[_delete(s, "OLD"), _insert(s, "NEW")],
        )
        statements += row_trigger_sql(
            conn, name=f"{name}_delete", table=s.table, event="DELETE", when="", body=[_delete(s, "OLD")]
        )
    statements += row_trigger_sql(
        conn,
        name="cases_pending_move",
        table=CASES,
        event="UPDATE",
        when="OLD.center_id IS DISTINCT FROM NEW.center_id",
        body=[f"UPDATE {TABLE} SET center_id = NEW.center_id WHERE case_id = NEW.id"],
    )
    return statements


def tables() -> list[str]:
    return [s.table for s in SOURCES]


# --- reading ---------------------------------------------------------------------------------------------
def first_items(kind: str, ids: list[int], *, before=None, since=None, limit: int, descending: bool = False):
    """A sub-select of the ids of the first ``limit`` items of ``kind`` of the centers ``ids`` (for
    ``filter(pk__in=…)``), by date (``before``: dated before it; ``since``: at or after it), then id. On
    PostgreSQL one walk of ``pending_item_at`` / ``pending_item_day`` per center, each stopped at a bound
    found from the centers' first rows (``first_values_per_key``): the index entries read follow the
    ``limit`` items listed, not centers × limit (a day with many level rises read thousands for 100)."""
    from mediation_center.dialect import OneOf, first_values_per_key

    s = BY_KIND[kind]
    rows = PendingItem.objects.filter(kind=kind)
    if before is not None:
        rows = rows.filter(**{f"{s.field}__lt": before})
    if since is not None:
        rows = rows.filter(**{f"{s.field}__gte": since})
    order = (f"-{s.field}", "-item_id") if descending else (s.field, "item_id")  # item_id: unique in a kind
    rows = rows.order_by(*order)
    fast = first_values_per_key(rows, "center_id", ids, limit, order, "item_id")
    if fast is not None:
        return fast
    return rows.filter(OneOf("center_id", ids)).values("item_id")[:limit]


# --- the recount -----------------------------------------------------------------------------------------
def _expected(s: Source):
    """The listed rows of ``s`` in ``PendingItem``'s columns, as annotations named ``ALIASES`` (selected by
    name: Django puts a queryset's own columns before its annotations)."""
    at, day = DateTimeField(), DateField()
    return (
        s.model_class()
        .objects.filter(s.listed_q())
        .annotate(
            x_kind=Value(s.kind),
            x_item=F("pk"),
            x_case=F("case_id"),
            x_center=Cast("case__center_id", IntegerField()),
            x_at=F(s.column) if s.field == "at" else Cast(Value(None), at),
            x_day=F(s.column) if s.field == "day" else Cast(Value(None), day),
        )
        .values_list("x_kind", "x_item", "x_case", "x_center", "x_at", "x_day")
        .order_by()
    )


ALIASES = ("x_kind", "x_item", "x_case", "x_center", "x_at", "x_day")


def _expected_sql(s: Source) -> tuple[str, tuple]:
    sql, params = _expected(s).query.sql_with_params()
    return f"SELECT {', '.join(f'e.{a}' for a in ALIASES)} FROM ({sql}) e", params


COLUMNS = ("kind", "item_id", "case_id", "center_id", "at", "day")


def counted() -> set[tuple]:
    """What ``PendingItem`` should hold, from the sources (for tests: small data)."""
    return {tuple(row) for s in SOURCES for row in _expected(s)}


def current() -> set[tuple]:
    return set(PendingItem.objects.values_list(*COLUMNS))


def recount() -> dict:
    """Rebuild ``PendingItem`` from the sources (the caller holds writers off); returns how many rows there
    are and how many were wrong (missing, extra or different), counted in the database."""
    wrong = 0
    with connection.cursor() as cursor:
        for s in SOURCES:
            sql, params = _expected_sql(s)
            mine = f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE kind = %s"
            cursor.execute(f"SELECT COUNT(*) FROM ({mine} EXCEPT {sql}) x", [s.kind, *params])
            wrong += cursor.fetchone()[0]
            cursor.execute(f"SELECT COUNT(*) FROM ({sql} EXCEPT {mine}) x", [*params, s.kind])
            wrong += cursor.fetchone()[0]
        cursor.execute(f"DELETE FROM {TABLE}")
        for s in SOURCES:
            sql, params = _expected_sql(s)
            cursor.execute(f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) {sql}", params)
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        total = cursor.fetchone()[0]
    return {"pending": total, "wrong_pending": wrong}
