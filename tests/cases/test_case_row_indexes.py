"""The indexes of the rows the sweep writes, after cases.0020 (issue 17 item 5: every index that holds a row gets a new entry
when the sweep rewrites it): the nullable links are indexed only where set, the ``varchar_pattern_ops``
copies of the number and the tracking code are gone, and the lookups those indexes served still find the
same rows — by an index on PostgreSQL."""

import pytest
from django.db import connection

from cases.models import Case, TimelineEvent, WarningChange

pytestmark = pytest.mark.django_db

# (table, column) → the one index on that column alone after 0020 (None: no index of its own)
ONLY_INDEX = {
    ("cases_case", "repeat_of_id"): "case_repeat_of",
    ("cases_case", "merged_into_id"): "case_merged_into",
    ("cases_case", "registered_by_id"): None,  # case_list_registered_by leads with it (0021)
    ("cases_case", "origin_center_id"): None,  # case_serial_per_center_year and case_list_origin lead with it
    ("cases_timelineevent", "actor_id"): "timeline_actor",
    ("cases_warningchange", "actor_id"): "warning_change_actor",
    ("cases_warningchange", "case_id"): None,
}


def _indexes_on(table: str, column: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name
        for name, c in constraints.items()
        if c["index"] and not c["unique"] and not c["primary_key"] and c["columns"] == [column]
    }


@pytest.mark.parametrize(("table", "column"), list(ONLY_INDEX))
def test_each_column_keeps_only_its_partial_index(table, column):
    only = ONLY_INDEX[(table, column)]
    assert _indexes_on(table, column) == ({only} if only else set())


def test_the_links_still_find_their_cases(make_case, clerk):
    first, second = make_case(), make_case()
    Case.objects.filter(pk=second.pk).update(repeat_of=first, merged_into=first)
    assert list(Case.objects.filter(repeat_of=first)) == [Case.objects.get(pk=second.pk)]
    assert list(Case.objects.filter(merged_into=first)) == [Case.objects.get(pk=second.pk)]
    mine = set(Case.objects.filter(registered_by=clerk).values_list("pk", flat=True))
    assert {first.pk, second.pk} <= mine
    assert list(Case.objects.filter(merged_into__isnull=False).values_list("pk", flat=True)) == [second.pk]


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # (a few test rows: make the planner show an index)
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_postgres_keeps_no_pattern_copies_and_serves_the_lookups_by_index(make_case, clerk):
    case = make_case()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [Case._meta.db_table, "%pattern_ops%"],
        )
        assert cursor.fetchall() == []
    assert "case_repeat_of" in _plan(Case.objects.filter(repeat_of=case))
    assert "case_merged_into" in _plan(Case.objects.filter(merged_into=case))
    assert "case_list_registered_by" in _plan(Case.objects.filter(registered_by=clerk))
    assert "cases_case_tracking_code_key" in _plan(Case.objects.filter(tracking_code=case.tracking_code))
    assert "cases_case_number_key" in _plan(Case.objects.filter(number=case.number))
    assert "timeline_actor" in _plan(TimelineEvent.objects.filter(actor=clerk))
    assert "warning_change_actor" in _plan(WarningChange.objects.filter(actor=clerk))
    # a case's level changes, and the sweep's next seq, by the unique (case, seq)
    assert "warning_change_once" in _plan(WarningChange.objects.filter(case=case))
