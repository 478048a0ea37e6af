"""The trigger on ``cases_case`` that writes ``RollupDelta`` rows (see models.py), installed after every
migrate: SQLite drops a table's triggers when a migration rebuilds the table, so the DDL is re-run (it is
idempotent) instead of living in one migration. ``installed()`` tells a test or the recount whether it is
there."""

from __future__ import annotations

from django.db import connections

from cases.core.states import Outcome
from mediation_center.dialect import local_date_sql, row_trigger_sql

TABLE = "cases_case"
DELTAS = "cases_rollupdelta"
# The columns a rollup counts; a change of any other column writes no delta.
COUNTED = (
    "center_id",
    "status",
    "warning_level",
    "channel_id",
    "created_at",
    "concluded_at",
    "outcome",
    "money_covered",
)
NAMES = ("cases_rollup_insert", "cases_rollup_update", "cases_rollup_delete")
# and the period measures' triggers (cases/rollups/measures.py), installed with these


def _row(connection, ref: str, sign: int) -> str:
    success = ", ".join(f"'{code}'" for code in Outcome.resolved())
    return (
        f"INSERT INTO {DELTAS} (center_id, status, level, channel, created_day, concluded_day, success, money, sign) "
        f"VALUES ({ref}.center_id, {ref}.status, {ref}.warning_level, COALESCE({ref}.channel_id, 0), "
        f"{local_date_sql(f'{ref}.created_at', connection)}, {local_date_sql(f'{ref}.concluded_at', connection)}, "
        f"({ref}.outcome IN ({success})), COALESCE({ref}.money_covered, 0), {sign})"
    )


def trigger_ddl(connection) -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COUNTED)
    insert, update, delete = NAMES
    return [
        *row_trigger_sql(
            connection, name=insert, table=TABLE, event="INSERT", when="", body=[_row(connection, "NEW", 1)]
        ),
        *row_trigger_sql(
            connection,
            name=update,
            table=TABLE,
            event="UPDATE",
            when=changed,
            body=[_row(connection, "OLD", -1), _row(connection, "NEW", 1)],
        ),
        *row_trigger_sql(
            connection, name=delete, table=TABLE, event="DELETE", when="", body=[_row(connection, "OLD", -1)]
        ),
    ]


def install(using: str = "default") -> None:
    from cases.rollups import measures, pending

    connection = connections[using]
    tables = connection.introspection.table_names()
    if TABLE not in tables or DELTAS not in tables:
        return
    with connection.cursor() as cursor:
        for statement in trigger_ddl(connection):
            cursor.execute(statement)
        if measures.DELTAS in tables and set(measures.tables()) <= set(tables):
            for statement in measures.trigger_ddl(connection):
                cursor.execute(statement)
        if pending.TABLE in tables and set(pending.tables()) <= set(tables):
            for statement in pending.trigger_ddl(connection):
                cursor.execute(statement)


def install_after_migrate(sender=None, using: str = "default", **kwargs) -> None:
    """Install the trigger; a database that had cases before the rollups existed is counted once."""
    from django.db import transaction

    from cases.core.models import Case
    from cases.rollups.models import CaseCount, MeasureDay, MeasureDelta, PendingItem, RollupDelta
    from cases.rollups.services import recount_measures, recount_pending, recount_rollups

    install(using)
    if using != "default":
        return
    if Case.objects.exists() and not CaseCount.objects.exists() and not RollupDelta.objects.exists():
        with transaction.atomic():
            recount_rollups.step()
    elif Case.objects.exists() and not MeasureDay.objects.exists() and not MeasureDelta.objects.exists():
        with transaction.atomic():  # the measures' rollups added to a database that had the case rollups
            recount_measures.step()
    if Case.objects.exists() and not PendingItem.objects.exists():
        with transaction.atomic():  # the dashboard's lists by center, added to a database with cases
            recount_pending.step()
