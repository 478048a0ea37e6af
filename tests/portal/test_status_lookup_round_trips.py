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
    assert len(lock_reads) == 1 and lock_reads[0][0] == "get_many"  # the address's and the case's counters
    assert len(lock_reads[0][1]) == 4
    row = SecurityAuditEvent.objects.get(type=SecurityAuditEvent.Type.STATUS_LOOKUP)
    assert row.success and row.detail == {"code": case.tracking_code, "case": case.number}
    assert row.ip_address == "10.0.0.9"
    assert verify().audit.ok  # sealed by the records/ trigger like any other audit row
    statements = [q["sql"] for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
    if connection.vendor == "postgresql":
        case_reads = [sql for sql in statements if "FROM cases_case c" in sql]
        assert len(case_reads) == 1 and "cases_party" in case_reads[0]  # the parties in the same statement
        assert not any("cases_party" in sql for sql in statements if sql not in case_reads)
        audit = [sql for sql in statements if "accounts_securityauditevent" in sql]
        assert len(audit) == 1 and audit[0].startswith("WITH audit AS") and "cases_timelineevent" in audit[0]
        # Lower, never raise: 9 with the page's reads one query each, 2 since they share the audit's statement.
        assert len(statements) == 2
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
    assert cache.get(by_case._keys(f"case:{case.pk}")[0]) == 1
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
    assert cache.get(by_ip._keys("10.0.0.7")[0]) == cache.get(by_case._keys(f"case:{case.pk}")[0]) == 2


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
