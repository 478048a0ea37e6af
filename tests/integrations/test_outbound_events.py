"""Outbound events to the external system that pushed a case: outbox in the change's transaction, signed
delivery to a real HTTP receiver on loopback, retries with backoff, order per case, parking and resend."""

import datetime as dt
import json
import time

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import ExternalSystem
from cases.integrations import services, signing
from cases.integrations.models import OutboundEvent
from cases.integrations.receiver import Receiver
from cases.lifecycle import services as lifecycle
from cases.models import Case, TimelineEvent
from tests.cases.lifecycle_helpers import make_effective, route, session
from tests.cases.open311_fixtures import make_system

State = OutboundEvent.State


@pytest.fixture
def receiver():
    r = Receiver("whsec_test").serve_in_thread()
    yield r
    r.close()


@pytest.fixture
def system(world, receiver):
    system, _token = make_system(world.county)
    ExternalSystem.objects.filter(pk=system.pk).update(
        webhook_url=receiver.url, webhook_secret="whsec_test", webhook_enabled=True
    )
    system.refresh_from_db()
    return system


@pytest.fixture
def pushed(make_case, system):
    def _make(external_id="12345-0001"):
        return make_case(external_system=system.code, external_id=external_id)

    return _make


def deliver(system, case):
    return services.deliver_case_events(system.pk, case.pk if case else None)


def test_a_pushed_case_gets_an_outbox_row_in_the_same_transaction(pushed, system):
    case = pushed()
    row = OutboundEvent.objects.get(case=case)
    assert row.type == "accepted" and row.state == State.PENDING and row.system == system
    assert row.payload["external_id"] == "12345-0001" and row.payload["service_request_id"] == str(case.pk)
    assert row.payload["status"] == "open" and row.payload["case_status"] == "registered"
    assert row.payload["extended_status"] == "INVESTIGATING" and case.number in row.payload["notes"]


def test_a_rolled_back_change_leaves_no_outbox_row(pushed, system):
    case = pushed()
    with pytest.raises(RuntimeError), transaction.atomic():
        lifecycle.reopen_case.step  # noqa: B018 (the services are steps inside a caller's transaction)
        from cases.core import events

        events.CLOSED.record(case, actor=None, data={})
        assert OutboundEvent.objects.filter(case=case, type="closed").exists()
        raise RuntimeError
    assert not OutboundEvent.objects.filter(case=case, type="closed").exists()


def test_cases_not_pushed_and_systems_switched_off_write_nothing(make_case, pushed, system):
    make_case()
    ExternalSystem.objects.filter(pk=system.pk).update(webhook_enabled=False)
    pushed("other")
    assert not OutboundEvent.objects.exists()


def test_event_types_chosen_by_the_system_are_the_only_ones_sent(pushed, system):
    ExternalSystem.objects.filter(pk=system.pk).update(webhook_event_types=["concluded"])
    pushed()
    assert not OutboundEvent.objects.exists()


def test_an_outbox_row_costs_one_statement_and_a_system_without_webhook_gets_none(pushed, system):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.core import events

    case = pushed()
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        events.FOLLOW_UP_REOPENED.record(
            case, actor=None, data={"reason": "未履行", "performance": "partial"}
        )
    writes = [q["sql"] for q in ctx.captured_queries if "outboundevent" in q["sql"]]
    assert len(writes) == 1 and "externalsystem" in writes[0]  # the system's row joined, no lookup first
    rows = list(OutboundEvent.objects.filter(case=case).order_by("pk").values_list("type", "system_id"))
    assert rows == [("accepted", system.pk), ("follow_up", system.pk), ("reopened", system.pk)]
    ExternalSystem.objects.filter(pk=system.pk).update(webhook_url="")
    events.CLOSED.record(case, actor=None, data={})
    ExternalSystem.objects.filter(pk=system.pk).update(webhook_url="http://x", webhook_event_types=["closed"])
    events.CONCLUDED.record(case, actor=None, data={})
    events.CLOSED.record(case, actor=None, data={})
    assert list(OutboundEvent.objects.filter(case=case).order_by("pk").values_list("type", flat=True)) == [
        "accepted", "follow_up", "reopened", "closed",
    ]  # fmt: skip


def test_delivery_is_signed_and_the_receiver_accepts_it(pushed, system, receiver):
    case = pushed()
    assert deliver(system, case) == 1
    assert receiver.refused == [] and [e["type"] for e in receiver.events] == ["accepted"]
    row = OutboundEvent.objects.get(case=case)
    assert row.state == State.DELIVERED and row.attempts == 1 and row.last_status_code == 200
    assert receiver.events[0]["event_id"] == str(row.event_id)


def test_signature_checks_body_secret_and_replay_window():
    body, now = b'{"a":1}', int(time.time())
    headers = signing.signed_headers("s3cret", body, "e1", timestamp=now)
    ts, sig = headers[signing.TIMESTAMP_HEADER], headers[signing.SIGNATURE_HEADER]
    assert signing.verify("s3cret", body, ts, sig) is None
    assert signing.verify("other", body, ts, sig) == "bad signature"
    assert signing.verify("s3cret", b'{"a":2}', ts, sig) == "bad signature"
    assert signing.verify("s3cret", body, ts, sig, now=now + 301) == "timestamp outside the replay window"
    assert signing.verify("s3cret", body, None, sig) == "missing signature headers"


def test_a_wrong_secret_is_refused_by_the_receiver_and_parked(pushed, system, receiver):
    ExternalSystem.objects.filter(pk=system.pk).update(webhook_secret="whsec_wrong")
    case = pushed()
    deliver(system, case)
    row = OutboundEvent.objects.get(case=case)
    assert receiver.events == [] and receiver.refused == ["bad signature"]
    assert row.state == State.PARKED and row.last_status_code == 401  # a 4xx is not retried


def test_the_full_lifecycle_sends_each_change_in_order_with_the_result(
    pushed, system, receiver, world, mediator
):
    case = pushed()
    route(case, world.channels["specialist"])
    session(case, mediator)
    make_effective(Case.objects.get(pk=case.pk), mediator)
    lifecycle.conclude_case(Case.objects.get(pk=case.pk), actor=mediator, outcome="written_agreement")
    deliver(system, case)
    types = [e["type"] for e in receiver.events]
    assert types[0] == "accepted" and types[-1] == "concluded"
    result = receiver.events[-1]["result"]
    assert result["outcome"] == "written_agreement" and "达成书面调解协议" in result["summary"]
    assert (
        receiver.events[-1]["case_status"] == "concluded"
        and receiver.events[-1]["extended_status"] == "FIXED"
    )
    assert TimelineEvent.objects.filter(case=case, type="concluded").exists()


def test_5xx_is_retried_with_exponential_backoff_for_more_than_a_day(pushed, system, receiver):
    receiver.fail_with = 500
    case = pushed()
    start = timezone.now()
    now = start
    services.deliver_case_events(system.pk, case.pk, now=start)
    waits = []
    for _ in range(services.MAX_ATTEMPTS):
        row = OutboundEvent.objects.get(case=case)
        if row.state == State.PARKED:
            break
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at
        assert (
            services.deliver_case_events(system.pk, case.pk, now=now - dt.timedelta(seconds=1)) == 0
        )  # not due
        services.deliver_case_events(system.pk, case.pk, now=now)
    row = OutboundEvent.objects.get(case=case)
    assert row.state == State.PARKED and row.attempts == services.MAX_ATTEMPTS and row.last_status_code == 500
    assert waits[1] == 2 * waits[0] and waits[2] == 2 * waits[1]
    assert now - start >= dt.timedelta(hours=24)
    assert receiver.events == []


def test_a_receiver_outage_loses_nothing_and_the_sweep_delivers_later(pushed, system, receiver):
    receiver.close()  # nothing listens: connection refused
    case = pushed()
    deliver(system, case)
    row = OutboundEvent.objects.get(case=case)
    assert (
        row.state == State.PENDING and row.attempts == 1 and row.last_status_code is None and row.last_error
    )
    back = Receiver("whsec_test", port=int(receiver.url.rsplit(":", 1)[1].split("/")[0])).serve_in_thread()
    try:
        assert services.deliver_due_events(now=row.next_attempt_at) == 1
        assert [e["event_id"] for e in back.events] == [str(row.event_id)]
    finally:
        back.close()


def test_a_broker_outage_leaves_rows_pending_for_the_sweep(pushed, system, receiver, monkeypatch):
    from celery import current_app

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(current_app, "send_task", broker_down)
    case = pushed()
    services.queue_delivery(system.pk, case.pk)  # what on_commit runs: swallows the outage
    assert OutboundEvent.objects.get(case=case).state == State.PENDING
    assert services.deliver_due_events() == 1 and len(receiver.events) == 1


def test_order_per_case_a_failing_head_holds_back_the_later_events(pushed, system, receiver, mediator):
    case = pushed()
    other = pushed("12345-0002")
    receiver.fail_with = 503
    lifecycle_event = __import__("cases.core.events", fromlist=["REOPENED"]).REOPENED
    with transaction.atomic():
        lifecycle_event.record(case, actor=mediator, data={"reason": "协议未履行"})
    deliver(system, case)
    rows = list(OutboundEvent.objects.filter(case=case).order_by("pk"))
    assert [r.attempts for r in rows] == [1, 0]  # the second was not tried before the first
    receiver.fail_with = None
    assert services.deliver_due_events(now=rows[0].next_attempt_at) == 3  # both of case, one of other
    mine = [e["type"] for e in receiver.events if e["service_request_id"] == str(case.pk)]
    assert mine == ["accepted", "reopened"]
    assert any(e["service_request_id"] == str(other.pk) for e in receiver.events)


def test_a_repeat_delivery_has_the_same_event_id_and_the_receiver_drops_it(pushed, system, receiver):
    case = pushed()
    row = OutboundEvent.objects.get(case=case)
    body = json.dumps(row.payload).encode()
    headers = signing.signed_headers("whsec_test", body, str(row.event_id))
    assert receiver.receive(body, headers) == 200 and receiver.receive(body, headers) == 200
    assert len(receiver.events) == 1


def test_parked_events_are_resent_with_the_earlier_ones_in_order(pushed, system, receiver, mediator):
    case = pushed()
    from cases.core import events

    with transaction.atomic():
        events.REOPENED.record(case, actor=mediator, data={"reason": "x"})
    OutboundEvent.objects.filter(case=case).update(state=State.PARKED, attempts=services.MAX_ATTEMPTS)
    last = OutboundEvent.objects.filter(case=case).order_by("pk").last()
    assert services.resend_events([last.pk], actor=mediator) == 2
    assert deliver(system, case) == 2
    assert [e["type"] for e in receiver.events] == ["accepted", "reopened"]


def test_test_event_and_secret_rotation(system, receiver, mediator):
    secret = services.rotate_webhook_secret(system, actor=mediator)
    assert secret.startswith("whsec_") and secret != "whsec_test"
    receiver.secret = secret
    system.refresh_from_db()
    services.send_test_event(system, actor=mediator)
    assert deliver(system, None) == 1 and receiver.events[0]["type"] == "test"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_sweep_sends_several_case_queues_at_once_each_in_order(pushed, system, receiver, clerk, settings):
    """On PostgreSQL the sweep delivers case queues on several threads; each case's events still arrive in
    the order they happened (one thread per queue)."""
    from django.db import connection

    from routing.services import route_case

    if connection.vendor != "postgresql":
        pytest.skip("threads need a server database (SQLite has one writer)")
    settings.WEBHOOK_DELIVERY_THREADS = 4
    cases = [pushed(external_id=f"t-{i}") for i in range(6)]
    for case in cases:
        route_case(case, actor=clerk)  # accepted, then routed: two events per case, in that order
    OutboundEvent.objects.update(
        state=State.PENDING, next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )
    receiver.events.clear()
    sent = services.deliver_due_events() + services.deliver_due_events()
    assert sent == 12 and OutboundEvent.objects.filter(state=State.DELIVERED).count() == 12
    for case in cases:
        types = [e["type"] for e in receiver.events if e["service_request_id"] == str(case.pk)]
        assert types == ["accepted", "routed"], (case.pk, types)


def test_a_queue_goes_out_over_one_kept_alive_connection(pushed, system, receiver, mediator):
    """The sender reuses its connection to the receiver (HTTP/1.1 keep-alive) for a queue's events."""
    from cases.core import events
    from cases.integrations import http

    case = pushed()
    with transaction.atomic():
        for n in range(3):
            events.REOPENED.record(case, actor=mediator, data={"reason": f"第{n}次"})
    http.close_all()
    seen_ports = []
    real_connect = http._connect

    def connect(*args, **kwargs):
        seen_ports.append(args)
        return real_connect(*args, **kwargs)

    http._connect = connect
    try:
        assert deliver(system, case) == 4
    finally:
        http._connect = real_connect
        http.close_all()
    assert [e["type"] for e in receiver.events] == ["accepted", "reopened", "reopened", "reopened"]
    assert len(seen_ports) == 1  # one connection for the four deliveries


def test_a_connection_the_receiver_closed_while_idle_is_replaced_and_nothing_is_lost(
    pushed, system, receiver, mediator
):
    from cases.core import events
    from cases.integrations import http

    case = pushed()
    http.close_all()
    assert deliver(system, case) == 1
    for conn in http._connections().values():  # the receiver side goes away while the connection idles
        conn.sock.shutdown(2)
    with transaction.atomic():
        events.REOPENED.record(case, actor=mediator, data={"reason": "再次"})
    assert deliver(system, case) == 1
    http.close_all()
    assert [e["type"] for e in receiver.events] == ["accepted", "reopened"]
    assert OutboundEvent.objects.filter(case=case, state=State.DELIVERED).count() == 2


def test_a_queue_another_worker_holds_is_left_to_it_and_nothing_stays_claimed(
    pushed, system, receiver, mediator
):
    from cases.core import events

    case = pushed()
    with transaction.atomic():
        events.REOPENED.record(case, actor=mediator, data={"reason": "x"})
    first, second = OutboundEvent.objects.filter(case=case).order_by("pk")
    held = timezone.now() + dt.timedelta(seconds=30)
    OutboundEvent.objects.filter(pk=second.pk).update(claimed_until=held)  # another worker is sending it
    assert deliver(system, case) == 0 and receiver.events == []
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.claimed_until is None and first.state == State.PENDING and first.attempts == 0
    assert second.claimed_until == held
    OutboundEvent.objects.filter(pk=second.pk).update(claimed_until=None)  # that worker gave up
    assert deliver(system, case) == 2
    assert [e["type"] for e in receiver.events] == ["accepted", "reopened"]
