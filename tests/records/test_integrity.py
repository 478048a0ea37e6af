"""Tamper-evident records (issue 22 item 4): every timeline and audit row is sealed into a hash chain by the
database; changing, deleting or slipping in a row is found by verify_audit; PostgreSQL refuses the change."""

import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.utils import DatabaseError

from accounts.models import SecurityAuditEvent
from cases.core.models import TimelineEvent
from records.integrity import maintenance, verify
from records.models import AuditSeal, TimelineSeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_with_events(make_case, clerk):
    def make(n=3):
        case = make_case()
        for i in range(n):
            TimelineEvent.objects.create(case=case, type="note", actor=clerk, data={"i": i, "文字": "备注"})
        return case

    return make


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_every_event_and_audit_row_is_sealed_in_chain_order(case_with_events):
    case = case_with_events(3)
    SecurityAuditEvent.objects.create(type="login", username="clerk", ip_address="10.0.0.1")
    SecurityAuditEvent.objects.create(type="logout", username="clerk")
    seals = list(TimelineSeal.objects.filter(case_id=case.pk).order_by("id"))
    events = list(case.events.order_by("id"))
    assert len(events) >= 4  # registration's own events, then the three notes
    assert [s.event_id for s in seals] == [e.pk for e in events]
    assert seals[0].prev_hash == ""
    for before, after in zip(seals, seals[1:], strict=False):
        assert after.prev_hash == before.hash and len(after.hash) == 64
    audit = list(AuditSeal.objects.order_by("id"))
    assert len(audit) == SecurityAuditEvent.objects.count() and audit[-1].prev_hash == audit[-2].hash
    report = verify()
    assert report.ok, report.lines()
    assert report.timeline.rows == TimelineEvent.objects.count()
    assert report.audit.rows == SecurityAuditEvent.objects.count()


def test_a_row_changed_behind_the_application_is_found(case_with_events):
    case = case_with_events(3)
    middle = case.events.order_by("id")[2]
    with maintenance():
        _raw("UPDATE cases_timelineevent SET data = %s WHERE id = %s", ['{"i": 99}', middle.pk])
    report = verify()
    assert not report.ok
    (found,) = report.timeline.breaks
    assert found.row_id == middle.pk and found.chain == f"案件 {case.pk}"
    assert "修改" in found.reason
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=out)
    assert f"案件 {case.pk}，记录 #{middle.pk}" in out.getvalue()


def test_a_deleted_row_and_an_audit_row_changed_are_found(case_with_events):
    case = case_with_events(2)
    SecurityAuditEvent.objects.create(type="login", username="a")
    audit = SecurityAuditEvent.objects.create(type="reveal", username="b", detail={"why": "调解需要"})
    first = case.events.order_by("id").first()
    with maintenance():
        _raw("DELETE FROM cases_timelineevent WHERE id = %s", [first.pk])
        _raw("UPDATE accounts_securityauditevent SET username = 'x' WHERE id = %s", [audit.pk])
    report = verify()
    assert [b.row_id for b in report.timeline.breaks] == [first.pk]
    assert "删除" in report.timeline.breaks[0].reason
    assert [b.row_id for b in report.audit.breaks] == [audit.pk]


def test_a_row_slipped_in_without_its_seal_is_found(case_with_events):
    case = case_with_events(1)
    if connection.vendor == "postgresql":
        # A superuser switching the triggers off for the session, as someone forging a row would.
        _raw("SET session_replication_role = replica")
        event = TimelineEvent.objects.create(case=case, type="note")
        _raw("SET session_replication_role = origin")
    else:
        with maintenance():
            event = TimelineEvent.objects.create(case=case, type="note")
            _raw("DELETE FROM records_timelineseal WHERE event_id = %s", [event.pk])
    report = verify()
    assert [b.row_id for b in report.timeline.breaks] == [event.pk]
    assert "没有封存" in report.timeline.breaks[0].reason


def test_verify_audit_says_intact(case_with_events):
    case_with_events(2)
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "记录完整性校验通过" in out.getvalue()


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete(case_with_events):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only guard is a PostgreSQL trigger")
    case = case_with_events(1)
    event = case.events.order_by("id").last()
    for sql in (
        "UPDATE cases_timelineevent SET type = 'x' WHERE id = %s",
        "DELETE FROM cases_timelineevent WHERE id = %s",
        "DELETE FROM records_timelineseal WHERE event_id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw(sql, [event.pk])
    audit = SecurityAuditEvent.objects.create(type="login", username="a")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        SecurityAuditEvent.objects.filter(pk=audit.pk).update(username="b")
    assert verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_to_one_case_do_not_fork_its_chain(case_with_events):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    case = case_with_events(1)
    before = case.events.count()
    barrier = threading.Barrier(4)
    errors = []

    def writer(n):
        try:
            barrier.wait()
            for i in range(10):
                with transaction.atomic():
                    TimelineEvent.objects.create(case_id=case.pk, type="note", data={"w": n, "i": i})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert TimelineSeal.objects.filter(case_id=case.pk).count() == before + 40
    report = verify()
    assert report.ok, report.lines()


def test_the_integrity_page_is_for_administrators_only(
    case_with_events, login, clerk, supervisor, admin_user
):
    case = case_with_events(2)
    for user in (clerk, supervisor):
        assert login(user).get("/records/integrity/").status_code == 404
    client = login(admin_user)
    page = client.get("/records/integrity/")
    assert page.status_code == 200
    assert "完好" in page.content.decode()
    with maintenance():
        _raw("UPDATE cases_timelineevent SET type = 'forged' WHERE id = %s", [case.events.first().pk])
    page = client.get("/records/integrity/").content.decode()
    assert "记录在封存后被修改" in page and f"案件 {case.pk}" in page


def test_the_sealing_triggers_survive_a_table_rebuild(case_with_events):
    """SQLite drops a table's triggers when a migration rebuilds it; migrate puts them back (on PostgreSQL,
    which keeps them through ALTER TABLE, the same post-migrate step changes nothing)."""
    from records.integrity import reinstall_sqlite_triggers

    if connection.vendor == "sqlite":
        _raw("DROP TRIGGER records_seal_timeline")  # what a rebuild of cases_timelineevent leaves
    reinstall_sqlite_triggers()
    case = case_with_events(1)
    assert TimelineSeal.objects.filter(case_id=case.pk).count() == case.events.count()
    assert verify().ok
