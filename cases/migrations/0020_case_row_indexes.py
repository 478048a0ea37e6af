"""Fewer index entries per row the sweep writes (issue 17 item 5, the sweep at equal work).

A case row whose indexed columns change (the sweep's level and next check) is written anew, with a new
entry in every index that holds it. This migration takes out the entries nothing reads:

- the case's three nullable links and the actor of a timeline event or a level change are indexed only where
  set: every lookup by them names a case or a user (a case's ties, the SET NULL of a deleted account,
  retention's "has this account acted?"), and most rows (the sweep's: all) leave them empty;
- a level change's case has no index of its own: the unique (case, seq) leads with it;
- on PostgreSQL, the ``varchar_pattern_ops`` copies Django adds beside a unique ``CharField`` (``…_like``)
  of ``number`` and ``tracking_code``: they serve ``LIKE 'prefix%'`` only, and no query asks that (the
  number search is ``icontains``, an ``UPPER(…) LIKE '%…%'`` no b-tree serves; the tracking code is
  looked up by equality, which the unique index serves). Django's state does not list these indexes, so
  only the database changes; a later ``AlterField`` drops them ``IF EXISTS``.

The foreign-key constraints stay as they are (``SeparateDatabaseAndState``: an ``AlterField`` would drop
and re-validate each over every case row)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Django's names for the indexes it created (``_create_index_name``: table, column, suffix), and what takes
# their place: a partial index where the column is set, or nothing (another index leads with the column).
FK_INDEXES = [
    ("cases_case", "repeat_of_id", "cases_case_repeat_of_id_40a91699", "case_repeat_of"),
    ("cases_case", "merged_into_id", "cases_case_merged_into_id_1b4320d8", "case_merged_into"),
    ("cases_case", "registered_by_id", "cases_case_registered_by_id_baa64d7e", "case_registered_by"),
    ("cases_timelineevent", "actor_id", "cases_timelineevent_actor_id_ea5cda50", "timeline_actor"),
    ("cases_warningchange", "actor_id", "cases_warningchange_actor_id_31ac1df1", "warning_change_actor"),
    ("cases_warningchange", "case_id", "cases_warningchange_case_id_530dd05e", None),  # warning_change_once
]
LIKE_INDEXES = {
    "number": "cases_case_number_980c9551_like",
    "tracking_code": "cases_case_tracking_code_86c901a2_like",
}


def _replace(table: str, column: str, full: str, partial: str | None) -> migrations.RunSQL:
    forward = [f'DROP INDEX IF EXISTS "{full}"']
    backward = [f'CREATE INDEX IF NOT EXISTS "{full}" ON "{table}" ("{column}")']
    if partial:
        forward.append(
            f'CREATE INDEX IF NOT EXISTS "{partial}" ON "{table}" ("{column}") WHERE "{column}" IS NOT NULL'
        )
        backward.insert(0, f'DROP INDEX IF EXISTS "{partial}"')
    return migrations.RunSQL(forward, backward)


def drop_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in LIKE_INDEXES.values():
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, name in LIKE_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "cases_case" ("{column}" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_security_audit_e_service"),
        ("cases", "0019_case_list_filter_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[_replace(*spec) for spec in FK_INDEXES],
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="merged_into",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="merged",
                        to="cases.case",
                        verbose_name="并入案件",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="registered_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="registered_cases",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="登记人",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="repeat_of",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="repeats",
                        to="cases.case",
                        verbose_name="重复来访于",
                    ),
                ),
                migrations.AddIndex(
                    model_name="case",
                    index=models.Index(
                        condition=models.Q(("repeat_of__isnull", False)),
                        fields=["repeat_of"],
                        name="case_repeat_of",
                    ),
                ),
                migrations.AddIndex(
                    model_name="case",
                    index=models.Index(
                        condition=models.Q(("merged_into__isnull", False)),
                        fields=["merged_into"],
                        name="case_merged_into",
                    ),
                ),
                migrations.AddIndex(
                    model_name="case",
                    index=models.Index(
                        condition=models.Q(("registered_by__isnull", False)),
                        fields=["registered_by"],
                        name="case_registered_by",
                    ),
                ),
                migrations.AlterField(
                    model_name="timelineevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="操作人",
                    ),
                ),
                migrations.AlterField(
                    model_name="warningchange",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="warningchange",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="warning_changes",
                        to="cases.case",
                    ),
                ),
                migrations.AddIndex(
                    model_name="timelineevent",
                    index=models.Index(
                        condition=models.Q(("actor__isnull", False)), fields=["actor"], name="timeline_actor"
                    ),
                ),
                migrations.AddIndex(
                    model_name="warningchange",
                    index=models.Index(
                        condition=models.Q(("actor__isnull", False)),
                        fields=["actor"],
                        name="warning_change_actor",
                    ),
                ),
            ],
        ),
        migrations.RunPython(drop_like_indexes, create_like_indexes, elidable=False),
    ]
