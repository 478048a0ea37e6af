"""The timeline's seal trigger once per statement instead of once per row (PostgreSQL; SQLite keeps its row
trigger). The seals are the same (records/integrity.py ``timeline_seal_sql``); the sweep's batch of events
is sealed in one ``INSERT … SELECT`` instead of one PL/pgSQL call, lock, read and insert per event."""

from django.db import migrations

# The trigger as 0001 installed it, for going back.
_PER_ROW = [
    """
CREATE OR REPLACE FUNCTION records_seal_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE prev text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('records_timeline'), (NEW.case_id % 2147483647)::int);
  prev := coalesce((SELECT s.hash FROM records_timelineseal s WHERE s.case_id = NEW.case_id ORDER BY s.id DESC LIMIT 1), '');
  INSERT INTO records_timelineseal (event_id, case_id, prev_hash, hash)
  VALUES (NEW.id, NEW.case_id, prev, encode(sha256(convert_to(prev || '|' || NEW.id::text || '|' || NEW.case_id::text || '|' || NEW.type || '|' || coalesce(NEW.actor_id::text, '') || '|' || to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' || NEW.is_public::text || '|' || NEW.data::text, 'UTF8')), 'hex'));
  RETURN NULL;
END $$;""",
    "CREATE TRIGGER records_seal_timeline AFTER INSERT ON cases_timelineevent "
    "FOR EACH ROW EXECUTE FUNCTION records_seal_timeline()",
]
_DROP = "DROP TRIGGER IF EXISTS records_seal_timeline ON cases_timelineevent"


def per_statement(apps, schema_editor):
    from records.integrity import timeline_seal_sql

    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in [_DROP, *timeline_seal_sql()]:
            cursor.execute(statement)


def per_row(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in [_DROP, *_PER_ROW]:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("records", "0002_retention")]

    operations = [migrations.RunPython(per_statement, per_row)]
