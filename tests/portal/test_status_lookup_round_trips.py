"""The status lookup's round trips (issue 17 item 4): the case with its parties in one statement, the lock-out
counters in one Redis read, the success's audit row in the same statement as the public timeline's read —
and the row is there, sealed, the moment the page answers."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import SecurityAuditEvent
from cases.core import timeline
from records.integrity import verify

URL = "/portal/status/"


def lookup(client, code, digits, ip="10.0.0.9"):
    return client.post(URL, {"code": code, "phone_last4": digits}, REMOTE_ADDR=ip)


def _count_cache_reads(monkeypatch):
    calls, inside = [], []
    real_get_many, real_get = cache.get_many, cache.get

    def get_many(keys, *args, **kwargs):
        calls.append(("get_many", tuple(keys)))
        inside.append(True)  # (the file cache's get_many calls get per key: one round trip in Redis)
        try:
            return real_get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    def get(key, *args, **kwargs):
        if not inside:
            calls.append(("get", key))
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", get_many)
    monkeypatch.setattr(cache, "get", get)
    return calls


@pytest.mark.django_db
def test_a_successful_lookup_reads_the_counters_once_and_audits_before_it_answers(
    client, make_case, mediator, monkeypatch
):
    case = make_case()
    timeline.EventType("portal_test_internal", "内部备注").record(case, actor=mediator, data={})
    calls = _count_cache_reads(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        response = lookup(client, case.tracking_code, "5678")
    assert response.status_code == 200
    body = response.content.decode()
    assert "登记受理" in body and "内部备注" not in body  # the public timeline only
    assert "张*" in body and "李*" in body  # the parties, masked
    lock_reads = [c for c in calls if "portal:lookup" in str(c[1])]
    assert len(lock_reads) == 1 and lock_reads[0][0] == "get_many"  # the address's and the code's counters
    assert len(lock_reads[0][1]) == 6
    row = SecurityAuditEvent.objects.get(type=SecurityAuditEvent.Type.STATUS_LOOKUP)
    assert row.success and row.detail == {"code": case.tracking_code, "case": case.number}
    assert row.ip_address == "10.0.0.9"
    assert verify().audit.ok  # sealed by the records/ trigger like any other audit row
    statements = [q["sql"] for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
    if connection.vendor == "postgresql":
        # Lower, never raise: 9 with the page's reads one query each, 2 when they shared the audit's statement,
        # 1 since the case, its parties, the digits' check, the audit row and the page are one statement.
        # (a prepared statement: PREPARE once per connection, then EXECUTE)
        statements = [sql for sql in statements if not sql.startswith("PREPARE")]
        assert len(statements) == 1 and statements[0].startswith("EXECUTE")
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            (sql,) = [row[0] for row in cursor.fetchall() if "lookup_case" in row[0]]
        assert "FROM cases_case c" in sql and "cases_party" in sql and "cases_timelineevent" in sql
        assert "INSERT INTO accounts_securityauditevent" in sql
    assert len(statements) <= 4  # SQLite: the case, its parties, the audit row, the page's reads


@pytest.mark.django_db
def test_a_failed_lookup_is_audited_and_counted_on_both_counters(client, make_case):
    case = make_case()
    response = lookup(client, case.tracking_code, "0000")
    assert response.status_code == 200 and case.number not in response.content.decode()
    row = SecurityAuditEvent.objects.get(type=SecurityAuditEvent.Type.STATUS_LOOKUP)
    assert not row.success and row.detail["reason"] == "mismatch"
    from cases.portal.services import lookup_counters

    by_ip, by_case = lookup_counters()
    assert cache.get(by_ip._keys("10.0.0.9")[0]) == 1
    assert cache.get(by_case._keys(f"code:{case.tracking_code}")[0]) == 1
    assert cache.get(by_case._keys(f"tracking:{case.number}")[0]) == 1  # what a lookup by number reads
    assert verify().audit.ok


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_one_statement_finds_what_the_orm_finds(make_case):
    from cases.portal import services

    case = make_case()
    fast = services._find_case(case.tracking_code)
    by_number = services._find_case(case.number)
    slow = (
        services.Case.objects.select_related("dispute_type", "center")
        .prefetch_related("parties")
        .get(pk=case.pk)
    )
    fields = [f.attname for f in services.Case._meta.concrete_fields]
    for found in (fast, by_number):
        assert [getattr(found, name) for name in fields] == [getattr(slow, name) for name in fields]
        assert found._state.db == slow._state.db and not found._state.adding
        assert (found.dispute_type.name, found.center.name) == (slow.dispute_type.name, slow.center.name)
        assert [(p.pk, p.role, p.name, p.phone, p.id_number) for p in found.parties.all()] == [
            (p.pk, p.role, p.name, p.phone, p.id_number) for p in slow.parties.all()
        ]
    assert services._find_case("NOSUCHCODE00") is None


@pytest.mark.redis
@pytest.mark.django_db
def test_a_failure_counts_on_both_counters_in_one_round_trip(client, make_case, monkeypatch):
    import redis.client

    commands = []
    real = redis.client.Redis.execute_command

    def execute(self, *args, **kwargs):
        commands.append(args[0])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Redis, "execute_command", execute)
    case = make_case()
    lookup(client, case.tracking_code, "0000", ip="10.0.0.7")  # (the script is loaded on first use)
    commands.clear()
    lookup(client, case.tracking_code, "0000", ip="10.0.0.7")
    assert commands == ["MGET", "EVALSHA"]  # the counters read, then both failures counted
    from cases.portal.services import lookup_counters

    by_ip, by_case = lookup_counters()
    assert (
        cache.get(by_ip._keys("10.0.0.7")[0])
        == cache.get(by_case._keys(f"code:{case.tracking_code}")[0])
        == 2
    )


@pytest.mark.redis
@pytest.mark.django_db
def test_the_script_counts_as_fail_does():
    """``count_failures`` on Redis leaves the counters as ``FailureCounter.fail`` does: a new window, a count in
    it, a window whose end has passed (time moved on, the keys still there) started again."""
    import time_machine
    from django.utils import timezone

    from cases.portal.services import FailureCounter, count_failures

    def state(counter, key):
        names = [cache.make_and_validate_key(name) for name in counter._keys(key)]
        client = cache._cache.get_client()
        return cache.get_many(list(counter._keys(key))), [client.ttl(name) > 0 for name in names]

    old = FailureCounter("test:fail", limit=5, window=timezone.timedelta(minutes=15))
    new = FailureCounter("test:script", limit=5, window=timezone.timedelta(minutes=15))
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(3):
            old.fail("k", until=cache.get(old._keys("k")[1]))
            count_failures([(new, "k", cache.get(new._keys("k")[1]))])
            (old_values, old_ttl), (new_values, new_ttl) = state(old, "k"), state(new, "k")
            assert list(old_values.values()) == list(new_values.values()) and old_ttl == new_ttl == [
                True,
                True,
            ]
        assert list(new_values.values())[0] == 3
        traveller.shift(timezone.timedelta(minutes=16))  # the stored end has passed
        old.fail("k", until=cache.get(old._keys("k")[1]))
        count_failures([(new, "k", cache.get(new._keys("k")[1]))])
        assert list(state(old, "k")[0].values()) == list(state(new, "k")[0].values())
        assert list(state(new, "k")[0].values())[0] == 1


def _audit_rows(after: int = 0):
    rows = SecurityAuditEvent.objects.filter(type=SecurityAuditEvent.Type.STATUS_LOOKUP, pk__gt=after)
    return [(r.type, r.user_id, r.username, r.ip_address, r.success, r.detail) for r in rows.order_by("pk")]


def _page_rows(rows):
    return {
        name: [[getattr(obj, f.attname) for f in obj._meta.concrete_fields] for obj in objects]
        for name, objects in rows.items()
    }


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_one_statement_writes_and_reads_what_the_steps_do(make_case, mediator, monkeypatch):
    """The whole lookup in one statement against the same lookup in steps (the case, Python's digit check, the
    audit row alone or with the page's read — the SQLite path): the same audit rows, the same case and page
    rows, for a success by tracking code and by number, wrong digits, no digits and an unknown code."""
    from cases.portal import services

    case = make_case()
    timeline.EventType("portal_test_internal", "内部备注").record(case, actor=mediator, data={})
    attempts = [
        (case.tracking_code, "5678"),
        (case.number, "8000"),
        (case.tracking_code, "0000"),
        (case.number, "abcd"),
        ("NOSUCHCODE00", "5678"),
    ]
    results = {}
    for way in ("one", "steps"):
        before = SecurityAuditEvent.objects.order_by("pk").values_list("pk", flat=True).last() or 0
        if way == "steps":
            monkeypatch.setattr(services, "returning_cte", lambda connection: False)
        found = []
        for code, digits in attempts:
            try:
                result = services.look_up_case(code=code, phone_last4=digits, request=None)
            except services.InvalidCode:
                found.append(None)
            else:
                fields = [getattr(result, f.attname) for f in services.Case._meta.concrete_fields]
                parties = [(p.pk, p.role, p.name, p.phone, p.id_number) for p in result.parties.all()]
                found.append((fields, parties, _page_rows(result.status_rows)))
        results[way] = (_audit_rows(before), found)
        cache.clear()
    assert results["one"] == results["steps"]
    rows, found = results["one"]
    assert [row[4] for row in rows] == [True, True, False, False, False]
    assert rows[2][5] == {"code": case.tracking_code, "case": case.number, "reason": "mismatch"}
    assert rows[4][5] == {"code": "NOSUCHCODE00", "reason": "mismatch"}
    assert found[0][2]["public_events"] and found[2:] == [None, None, None]
    assert verify().audit.ok


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_phone_beyond_ascii_is_checked_by_python(client, make_case):
    """Python's ``isdigit`` counts digits SQL's [0-9] does not: the statement leaves such a case's check to
    Python (and writes nothing), so the answer is Python's — here a refusal the ASCII check would have let
    through ("5678²": Python's last four digits are "678²")."""
    from cases.core.models import Party

    case = make_case()
    Party.objects.filter(case=case).update(phone="13912345678²")
    response = lookup(client, case.tracking_code, "5678")
    assert response.status_code == 200 and case.number not in response.content.decode()
    assert [row[4:] for row in _audit_rows()] == [
        (False, {"code": case.tracking_code, "case": case.number, "reason": "mismatch"})
    ]
    Party.objects.filter(case=case).update(phone="1391234５６７８")  # fullwidth digits, typed the same way
    response = lookup(client, case.tracking_code, "５６７８")
    assert response.status_code == 200 and case.number in response.content.decode()
    assert _audit_rows()[-1][4:] == (True, {"code": case.tracking_code, "case": case.number})


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_session_that_lost_the_prepared_statement_prepares_it_again(client, make_case):
    case = make_case()
    assert lookup(client, case.tracking_code, "5678").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'p\\_%%'")
        (body,) = [row[0] for row in cursor.fetchall() if "lookup_case" in row[0]]
        assert "INSERT INTO accounts_securityauditevent" in body and "cases_timelineevent" in body
        cursor.execute("DEALLOCATE ALL")  # what a pooler's DISCARD ALL leaves
    with CaptureQueriesContext(connection) as queries:
        assert lookup(client, case.tracking_code, "5678").status_code == 200
    sent = [q["sql"].split()[0] for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
    assert sent == ["EXECUTE", "PREPARE", "EXECUTE"]
    assert [row[4] for row in _audit_rows()] == [True, True]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_audit_row_is_committed_when_the_page_answers(client, make_case, settings):
    """Another session sees the row as soon as the page has answered (one statement in autocommit: its commit
    waits for the WAL flush, synchronous_commit as configured); without prepared statements (a transaction
    pooler) the same statement runs as it is."""
    import psycopg2

    case = make_case()
    for prepared in (True, False):
        settings.DB_PREPARED_STATEMENTS = prepared
        with CaptureQueriesContext(connection) as queries:
            assert lookup(client, case.tracking_code, "5678").status_code == 200
        sent = [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"] not in ("BEGIN", "COMMIT") and not q["sql"].startswith("PREPARE")
        ]
        assert len(sent) == 1 and sent[0].startswith("EXECUTE" if prepared else "WITH lookup_case")
        other = psycopg2.connect(**connection.get_connection_params())
        try:
            with other.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM accounts_securityauditevent WHERE type = %s AND success",
                    [SecurityAuditEvent.Type.STATUS_LOOKUP],
                )
                assert cursor.fetchone()[0] == (1 if prepared else 2)
        finally:
            other.close()
