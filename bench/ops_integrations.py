"""Benchmark operations of the links with external systems (issue 24 item 8; bench/README.md "Integrations").

- ``integrations.deliver_10000``: 10,000 queued outbound events, 10 per case over 1,000 cases, delivered in
  order by the sweep (``deliver_due_events``) to a local receiver that answers 204 at once. Target ≤ 30 s.
- ``integrations.outbox_row``: what writing a change's outbox row adds to the change (``record_outbound``
  for an event of a pushed case, timed alone inside a transaction opened and rolled back untimed). Target ≤ 2 ms.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.db import transaction
from django.utils import timezone

from accounts.models import Center, ExternalSystem, User
from bench.run import Env, operation
from cases.core.models import Case, Source, TimelineEvent
from cases.integrations.models import OutboundEvent
from cases.integrations.services import deliver_due_events, record_outbound

EVENTS = 10_000
PER_CASE = 10
SYSTEM_CODE = "bench-receiver"


class _Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps the connection open between deliveries, as real receivers do

    def do_POST(self):  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def _receiver() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _system(center: Center, url: str) -> ExternalSystem:
    user, _ = User.objects.get_or_create(username=f"sys-{SYSTEM_CODE}", defaults={"kind": User.Kind.SYSTEM})
    system, _ = ExternalSystem.objects.update_or_create(
        code=SYSTEM_CODE,
        defaults={
            "name": "基准测试接收端",
            "user": user,
            "center": center,
            "source": Source.HOTLINE_12345,
            "webhook_url": url,
            "webhook_secret": "whsec_bench",
            "webhook_enabled": True,
        },
    )
    return system


@operation("integrations.deliver_10000", target_ms=30_000, repeat=1, writes=True, warmup=0)
def deliver_10000(env: Env):
    server = _receiver()
    system = _system(env.county, f"http://127.0.0.1:{server.server_port}/hook")
    case_ids = list(Case.objects.order_by("pk").values_list("pk", flat=True)[: EVENTS // PER_CASE])
    now = timezone.now() - timedelta(seconds=1)

    def prepare():
        OutboundEvent.objects.filter(system=system).delete()
        OutboundEvent.objects.bulk_create(
            [
                OutboundEvent(
                    system=system,
                    case_id=case_ids[i % len(case_ids)],
                    type="status_changed",
                    payload={"n": i, "type": "status_changed"},
                    created_at=now,
                    next_attempt_at=now,
                )
                for i in range(EVENTS)
            ],
            batch_size=2000,
        )

    def deliver():
        delivered = 0
        while sent := deliver_due_events(limit=2000):
            delivered += sent
        if delivered != EVENTS:
            raise AssertionError(f"delivered {delivered} of {EVENTS}")

    def teardown():
        OutboundEvent.objects.filter(system=system).delete()
        server.shutdown()

    return prepare, deliver, teardown


@operation("integrations.outbox_row", target_ms=2, writes=True)
def outbox_row(env: Env):
    """What writing the outbox adds to a change: ``record_outbound`` alone, inside the change's transaction
    (opened untimed before each call and rolled back untimed after it, as the change itself would commit)."""
    server = _receiver()
    system = _system(env.county, f"http://127.0.0.1:{server.server_port}/hook")
    case = env.any_case
    # the change being measured: the case routed (an event the systems are told of), not saved
    event = TimelineEvent(case=case, type="routed", created_at=timezone.now(), data={"channel": "court"})
    original = case.external_system
    open_block: list = []

    def close():
        while open_block:
            transaction.set_rollback(True)
            open_block.pop().__exit__(None, None, None)

    def prepare():
        close()
        block = transaction.atomic()
        block.__enter__()
        open_block.append(block)

    def write():
        case.external_system = system.code
        if not record_outbound(case, event):
            raise AssertionError("no outbox row written")

    def teardown():
        close()
        case.external_system = original
        server.shutdown()

    return prepare, write, teardown
