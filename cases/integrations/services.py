"""Writing the outbox (in the change's transaction) and delivering it (after commit, by Celery)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from celery import current_app
from django.conf import settings
from django.db import connection, connections, router, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import ExternalSystem
from cases.core.models import Case, TimelineEvent
from cases.core.states import Outcome
from cases.integrations import events, http, signing
from cases.integrations.models import OutboundEvent
from cases.integrations.statuses import extended_status, open311_status
from mediation_center.dialect import concurrent_writers, insert_rows_where, json_list_empty_or_has
from mediation_center.errors import DomainError
from mediation_center.transactions import entry_point

log = logging.getLogger(__name__)
State = OutboundEvent.State

# Retries: 1 min, doubling, at most 6 h apart; the 14th attempt comes ~26.5 h after the first (≥ 24 h).
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 6 * 3600
MAX_ATTEMPTS = 14
TIMEOUT_SECONDS = 10
CLAIM_SECONDS = 60
BATCH = 50  # rows of one queue read and claimed together


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return dt.timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), MAX_RETRY_SECONDS))


# --- Writing the outbox -------------------------------------------------------------------------


def record_outbound(case: Case, event: TimelineEvent) -> list[OutboundEvent]:
    """The timeline hook: outbox rows for the system that pushed ``case``, in the change's transaction.
    A case not pushed by a system costs nothing; one that was costs one statement: the rows are inserted
    joined with the system's row, so a system switched off, without a webhook or not asking for the type
    gets none (no lookup before the insert)."""
    if not case.external_system:
        return []
    types = events.OUTBOUND_TYPES.get(event.type)
    if not types:
        return []
    rows = [
        OutboundEvent(
            event_id=uuid.uuid4(),
            case=case,
            type=t,
            created_at=event.created_at,
            next_attempt_at=event.created_at,
            state=State.PENDING,
            attempts=0,
            last_error="",
        )
        for t in types
    ]
    for row in rows:
        row.payload = case_payload(row.event_id, row.type, case, event)
    fields = [
        "event_id",
        "case",
        "type",
        "payload",
        "created_at",
        "next_attempt_at",
        "state",
        "attempts",
        "last_error",
    ]
    connection = connections[router.db_for_write(OutboundEvent)]
    written = insert_rows_where(
        OutboundEvent,
        fields,
        [tuple(getattr(row, OutboundEvent._meta.get_field(f).attname) for f in fields) for row in rows],
        where_from=f"{connection.ops.quote_name(ExternalSystem._meta.db_table)} s",
        where="s.code = %s AND s.webhook_enabled AND s.webhook_url <> '' AND "
        + json_list_empty_or_has("s.webhook_event_types", 'v."type"', connection),
        where_params=[case.external_system],
        extra={"system_id": "s.id"},
        returning=["id", "system_id", "type"],
    )
    if not written:
        return []
    by_type = {row.type: row for row in rows}
    kept = []
    for pk, system_id, type_ in written:
        row = by_type[type_]
        row.pk, row.system_id = pk, system_id
        row._state.adding, row._state.db = False, connection.alias
        kept.append(row)
    system_id = written[0][1]
    transaction.on_commit(lambda: queue_delivery(system_id, case.pk))
    return kept


def case_payload(event_id: uuid.UUID, type_: str, case: Case, event: TimelineEvent) -> dict:
    """What the system is told: ids, status in Open311's and the center's terms, a public note, the result."""
    with translation.override(settings.LANGUAGE_CODE):
        body = {
            "event_id": str(event_id),
            "type": type_,
            "occurred_at": event.created_at.isoformat(),
            "system": case.external_system,
            "external_id": case.external_id,
            "service_request_id": str(case.pk),
            "case_number": case.number,
            "status": open311_status(case),
            "extended_status": extended_status(case),
            "case_status": case.status,
            "case_status_label": str(case.get_status_display()),
            "notes": public_note(type_, case, event.data),
            "details": _details(type_, event.data),
            "result": None,
        }
        if type_ in (events.CONCLUDED, events.CLOSED, events.REFUSED):
            body["result"] = handling_result(case)
    return body


def _details(type_: str, data: dict) -> dict:
    keys = {
        events.REFUSED: ("reason",),
        events.ROUTED: ("channel", "channel_name", "center_id", "center_name"),
        events.TRANSFERRED: ("direction", "from_center", "to_center", "reason"),
        events.MEDIATOR_ASSIGNED: ("mediator",),
        events.EXTENSION_GRANTED: ("length", "unit", "reason", "due_at"),
        events.CONCLUDED: ("outcome",),
        events.CLOSED: ("outcome",),
        events.FOLLOW_UP: ("method", "performance", "satisfaction"),
        events.REOPENED: ("reason",),
    }.get(type_, ())
    return {k: data[k] for k in keys if k in data}


def public_note(type_: str, case: Case, data: dict) -> str:
    """One sentence fit to read to the citizen (no staff-only detail)."""
    if type_ == events.ACCEPTED:
        return _("已受理，案号 %(number)s。") % {"number": case.number}
    if type_ == events.REFUSED:
        return _("不予受理：%(reason)s") % {"reason": data.get("reason") or case.outcome_reason}
    if type_ == events.ROUTED:
        return _("已分流至%(channel)s（%(center)s）。") % {
            "channel": data.get("channel_name", ""),
            "center": data.get("center_name", ""),
        }
    if type_ == events.TRANSFERRED:
        return _("已移交至%(center)s：%(reason)s") % {
            "center": data.get("to_center", ""),
            "reason": data.get("reason", ""),
        }
    if type_ == events.MEDIATOR_ASSIGNED:
        return _("已指派调解员。")
    if type_ == events.EXTENSION_GRANTED:
        return _("办理期限延长%(length)s%(unit)s：%(reason)s") % {
            "length": data.get("length", ""),
            "unit": data.get("unit", ""),
            "reason": data.get("reason", ""),
        }
    if type_ in (events.CONCLUDED, events.CLOSED):
        return handling_result(case)["summary"]
    if type_ == events.FOLLOW_UP:
        from cases.lifecycle.models import FollowUpVisit

        performance = data.get("performance", "")
        label = dict(FollowUpVisit.Performance.choices).get(performance, performance)
        return _("回访完成，协议履行情况：%(performance)s。") % {"performance": label}
    if type_ == events.REOPENED:
        return _("重新启动调解：%(reason)s") % {"reason": data.get("reason", "")}
    return ""


def handling_result(case: Case) -> dict:
    """The handling result (办结回复) for the hotline's call-back: the outcome and what it means."""
    label = str(Outcome(case.outcome).label) if case.outcome in Outcome.values else ""
    summary = _("办理结果：%(outcome)s。") % {"outcome": label or str(case.get_status_display())}
    if case.outcome_reason:
        summary += case.outcome_reason
    return {"outcome": case.outcome, "outcome_label": label, "summary": summary}


# --- Administrators' actions -------------------------------------------------------------------


@entry_point
def rotate_webhook_secret(system: ExternalSystem, *, actor) -> str:
    """A new signing secret; the caller shows it once. Deliveries from now on are signed with it."""
    system = ExternalSystem.objects.select_for_update().get(pk=system.pk)
    system.webhook_secret = signing.new_secret()
    system.save(update_fields=["webhook_secret"])
    log.info("webhook secret of %s rotated by %s", system.code, actor)
    return system.webhook_secret


@entry_point
def send_test_event(system: ExternalSystem, *, actor) -> OutboundEvent:
    """Queue a test event (no case) to the system's webhook, delivered like any other."""
    if not system.webhook_url:
        raise DomainError(_("请先填写回调地址。"), code="invalid")
    now = timezone.now()
    event_id = uuid.uuid4()
    row = OutboundEvent.objects.create(
        event_id=event_id,
        system=system,
        case=None,
        type=events.TEST,
        payload={
            "event_id": str(event_id),
            "type": events.TEST,
            "occurred_at": now.isoformat(),
            "system": system.code,
            "notes": _("测试事件，由 %(user)s 发送。") % {"user": actor},
        },
        created_at=now,
        next_attempt_at=now,
    )
    transaction.on_commit(lambda: queue_delivery(system.pk, None))
    return row


@entry_point
def resend_events(ids: list[int], *, actor) -> int:
    """Put parked events back in the queue (with the earlier parked events of their cases, to keep the order)."""
    now = timezone.now()
    chosen = list(
        OutboundEvent.objects.filter(pk__in=ids, state=State.PARKED).values_list("system", "case", "pk")
    )
    count = 0
    queues = set()
    for system_id, case_id, pk in chosen:
        count += OutboundEvent.objects.filter(
            system_id=system_id, case_id=case_id, state=State.PARKED, pk__lte=pk
        ).update(state=State.PENDING, attempts=0, next_attempt_at=now, claimed_until=None)
        queues.add((system_id, case_id))
    log.info("%s parked events resent by %s", count, actor)
    transaction.on_commit(lambda: [queue_delivery(s, c) for s, c in queues])
    return count


# --- Delivering ---------------------------------------------------------------------------------


def queue_delivery(system_id: int, case_id: int | None) -> None:
    """Hand a case's queue to Celery; if the broker is down the rows stay pending and the sweep delivers them."""
    try:  # by name: the task module imports this one
        current_app.send_task("cases.integrations.deliver_case_events", args=(system_id, case_id))
    except Exception:  # broker outage: nothing is lost, the outbox rows are still pending
        log.warning("broker unavailable; events of case %s stay in the outbox", case_id)


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST once over this thread's kept-alive connection to the receiver; (status code, error text)."""
    return http.post(url, body, headers, timeout=TIMEOUT_SECONDS)


def _retryable(code: int | None) -> bool:
    return code is None or code >= 500 or code in (408, 429)


@entry_point(own_transactions=True)  # each attempt is claimed, sent and recorded in its own statements
def deliver_case_events(system_id: int, case_id: int | None, *, now: dt.datetime | None = None) -> int:
    """Deliver a case's queue for one system, oldest first, stopping at the first that fails or is not due:
    a later event is never delivered before an earlier one. Returns how many were delivered.

    The queue's due head rows (up to ``BATCH``) are read and claimed together: one UPDATE stamps them with a
    claim time unique to this call, so the rows this call holds are those carrying its stamp. If another
    worker holds any of them the call lets its own go and leaves the queue to that worker. Each delivery's
    outcome is then written with one UPDATE as soon as it is known (a crash re-sends at most the event in
    flight, which receivers drop by event id)."""
    system = ExternalSystem.objects.filter(pk=system_id).first()
    if system is None or not system.webhook_enabled or not system.webhook_url:
        return 0  # switched off: the rows wait, and go out in order once it is on again
    delivered = 0
    while True:
        now_ = now or timezone.now()
        rows = list(
            OutboundEvent.objects.filter(system_id=system_id, case_id=case_id)
            .exclude(state=State.DELIVERED)
            .order_by("pk")
            .only("pk", "state", "next_attempt_at", "attempts", "payload", "event_id")[:BATCH]
        )
        due = []
        for row in rows:  # the head and what follows it while due: a row not due holds back the rest
            if row.state != State.PENDING or row.next_attempt_at > now_:
                break
            due.append(row)
        if not due:
            return delivered
        stamp = _claim_stamp(now_)
        mine = [row.pk for row in due]
        claimed = (
            OutboundEvent.objects.filter(pk__in=mine, state=State.PENDING)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now_))
            .update(claimed_until=stamp)
        )
        if claimed < len(mine):  # another worker is sending some of them; it goes on with the queue
            OutboundEvent.objects.filter(pk__in=mine, claimed_until=stamp).update(claimed_until=None)
            return delivered
        for index, head in enumerate(due):
            body = json.dumps(head.payload, ensure_ascii=False, separators=(",", ":")).encode()
            code, error = post(
                system.webhook_url,
                body,
                signing.signed_headers(system.webhook_secret, body, str(head.event_id)),
            )
            sent_at = now or timezone.now()
            attempts = head.attempts + 1
            fields = {
                "attempts": attempts,
                "last_attempt_at": sent_at,
                "last_status_code": code,
                "claimed_until": None,
            }
            if code is not None and 200 <= code < 300:
                fields.update(state=State.DELIVERED, delivered_at=sent_at, last_error="")
                delivered += 1
            elif _retryable(code) and attempts < MAX_ATTEMPTS:
                fields.update(next_attempt_at=sent_at + retry_delay(attempts), last_error=error)
            else:
                fields.update(state=State.PARKED, last_error=error)
            OutboundEvent.objects.filter(pk=head.pk).update(**fields)
            if fields.get("state") != State.DELIVERED:
                rest = [row.pk for row in due[index + 1 :]]
                if rest:  # the rest wait behind the one that failed
                    OutboundEvent.objects.filter(pk__in=rest, claimed_until=stamp).update(claimed_until=None)
                return delivered
        if len(rows) < BATCH and len(due) == len(rows):
            return delivered  # the whole queue went out


def _claim_stamp(now: dt.datetime) -> dt.datetime:
    """A claim's expiry, unique to the claiming call (its microseconds are random): the rows a call holds are
    the ones carrying its stamp."""
    return now + dt.timedelta(seconds=CLAIM_SECONDS, microseconds=secrets.randbelow(1_000_000))


@entry_point(own_transactions=True)
def deliver_due_events(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The periodic sweep: deliver every queue whose oldest pending event is due (retries, broker outages)."""
    now = now or timezone.now()
    queues = list(
        OutboundEvent.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
        .order_by()
        .values_list("system_id", "case_id")
        .distinct()[:limit]
    )
    workers = settings.WEBHOOK_DELIVERY_THREADS
    if workers <= 1 or len(queues) < 2 or not concurrent_writers(connection) or connection.in_atomic_block:
        return sum(deliver_case_events(system_id, case_id, now=now) for system_id, case_id in queues)

    # Queues of different cases are independent and delivery waits mostly on the receivers: several at once
    # (each queue by one thread, so a case's events still go out in order). Each thread keeps its database
    # connection and its kept-alive connection to the receiver for all the queues it takes.
    pending = iter(queues)
    lock = threading.Lock()

    def worker(_: int) -> int:
        total = 0
        try:
            while True:
                with lock:
                    queue = next(pending, None)
                if queue is None:
                    return total
                total += deliver_case_events(*queue, now=now)
        finally:
            connections.close_all()
            http.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return sum(pool.map(worker, range(min(workers, len(queues)))))
