"""The timeline's sealing trigger once per statement on PostgreSQL (records.integrity.timeline_seal_sql):
the same seals, written for a statement's rows in one INSERT (the sweep's 2,000 events a batch). DDL only:
no row is read or written, so it takes the same time at any size. SQLite keeps its row trigger."""

from django.db import migrations


def per_statement(apps, schema_editor):
    _install(schema_editor, per_statement=True)


def per_row(apps, schema_editor):
    _install(schema_editor, per_statement=False)


def _install(schema_editor, *, per_statement: bool) -> None:
    from records.integrity import timeline_seal_sql

    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in timeline_seal_sql(connection.vendor, per_statement=per_statement):
            cursor.execute(statement)
        if not per_statement:
            cursor.execute("DROP FUNCTION IF EXISTS records_seal_timeline_rows()")


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0002_retention"),
    ]

    operations = [migrations.RunPython(per_statement, per_row)]
