"""Notifications of escalations and supervision orders, and the e-mail outbox with its Celery task."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from types import SimpleNamespace

from celery import shared_task
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _t

from accounts.models import Membership, User
from cases.core.models import Case, WarningLevel
from cases.warnings.models import (
    Notification,
    WarningChange,
)
from cases.warnings.thresholds import warning_settings
from mediation_center.dialect import unnest_rows
from mediation_center.transactions import entry_point

log = logging.getLogger(__name__)
L = WarningLevel
Role = Membership.Role



# The escalation notifications' values as rows (PostgreSQL fast path; SQLite writes them with bulk_create).
_NOTIFICATION_ROWS = unnest_rows(
    [
        ("user_id", "bigint"),
        ("case_id", "bigint"),
        ("title", "text"),
        ("body", "text"),
        ("email_to", "text"),
        ("email_state", "text"),
    ]
)

def escalation_recipients(cases: list[Case]) -> dict[int, list[User]]:
    """Who hears of an escalation: supervisors of the case's center and above, and its assigned mediators
    (or, while nobody has claimed it, the mediators of its channel at its center). Two queries per batch."""
    from routing.models import CaseAssignment

    if not cases:
        return {}
    center_ids = {int(p) for c in cases for p in c.center.path.strip("/").split("/") if p}
    memberships = list(
        Membership.objects.filter(
            Q(role=Role.SUPERVISOR, center_id__in=center_ids)
            | Q(role=Role.MEDIATOR, center_id__in={c.center_id for c in cases})
        ).select_related("user", "center")
    )
    assigned: dict[int, list[User]] = {}
    for a in CaseAssignment.objects.filter(
        case_id__in=[c.pk for c in cases], ended_at__isnull=True
    ).select_related("mediator"):
        assigned.setdefault(a.case_id, []).append(a.mediator)
    # Each case looks only at the memberships of its own centers (its path, for supervisors; its center, for
    # mediators), taken in the query's order: the same users in the same order as a pass over every
    # membership, without the cases × memberships loop (10,000 escalations × thousands of memberships).
    at_center: dict[int, list[tuple[int, Membership]]] = {}
    for index, m in enumerate(memberships):
        at_center.setdefault(m.center_id, []).append((index, m))
    result: dict[int, list[User]] = {}
    for case in cases:
        users: dict[int, User] = {}
        ids = {int(p) for p in case.center.path.strip("/").split("/") if p} | {case.center_id}
        for _index, m in sorted(
            (pair for center_id in ids for pair in at_center.get(center_id, ())), key=lambda pair: pair[0]
        ):
            if m.role == Role.SUPERVISOR and case.center.path.startswith(m.center.path):
                users[m.user_id] = m.user
            elif (
                case.pk not in assigned
                and m.role == Role.MEDIATOR
                and m.center_id == case.center_id
                and (not m.channel_id or m.channel_id == case.channel_id)
            ):
                users[m.user_id] = m.user
        for mediator in assigned.get(case.pk, []):
            users[mediator.pk] = mediator
        result[case.pk] = list(users.values())
    return result


def is_baseline(change: WarningChange) -> bool:
    """A case's first level (set as it is registered) and the clearing of the level as it ends belong to
    the registering or ending event: kept as change rows (and notified), not as timeline events of their own."""
    return change.from_level == L.NONE or change.to_level == L.NONE


def notify_escalations(changes: list[WarningChange], values: dict) -> list[Notification]:
    escalated = [c for c in changes if c.to_level > c.from_level and c.to_level >= values["notify_min_level"]]
    if not escalated:
        return []
    missing = [c.case_id for c in escalated if not WarningChange.case.is_cached(c)]
    if missing:
        loaded = Case.objects.select_related("center").in_bulk(missing)
        for change in escalated:
            if change.case_id in loaded:
                change.case = loaded[change.case_id]
    recipients = escalation_recipients([c.case for c in escalated])
    rows = []
    for change in escalated:
        case = change.case
        title, body = _escalation_text(case.number, change.to_level, change.reason, change.response_due_at)
        for user in recipients.get(case.pk, []):
            rows.append(new_notification(user, case, "escalation", title, body))
    return create_notifications(rows)


@dataclass(slots=True)
class _CaseAddress:
    """What the recipients and the text of an escalation need of a case (``escalation_recipients`` reads
    ``pk``, ``center_id``, ``channel_id`` and ``center.path``), as plain values."""

    pk: int
    number: str
    center_id: int
    channel_id: int | None
    center: SimpleNamespace


class _EscalationText:
    """The title and body of an escalation's notification; a batch translates each pattern, level and
    response time once (the same text as one at a time)."""

    def __init__(self):
        self.title = _t("%(number)s 升级为%(level)s预警")
        self.body = _t("原因：%(reason)s。响应期限：%(due)s。")
        self.levels: dict[int, str] = {}
        self.dues: dict = {}

    def __call__(self, number: str, to_level: int, reason: str, response_due_at) -> tuple[str, str]:
        level = self.levels.get(to_level)
        if level is None:
            level = self.levels[to_level] = str(WarningLevel(to_level).label)
        due = self.dues.get(response_due_at)
        if due is None:
            due = self.dues[response_due_at] = (
                timezone.localtime(response_due_at).strftime("%Y-%m-%d %H:%M") if response_due_at else "—"
            )
        return self.title % {"number": number, "level": level}, self.body % {"reason": reason, "due": due}


def _escalation_text(number: str, to_level: int, reason: str, response_due_at) -> tuple[str, str]:
    return _EscalationText()(number, to_level, reason, response_due_at)


def notify_swept_escalations(moved: list, values: dict) -> int:
    """``notify_escalations`` for the sweep's recorded changes, given as (case row, previous level, evaluation)
    (PostgreSQL): the same notifications, read and written as plain values — the cases' numbers and centers
    in one query, the recipients in two (``escalation_recipients``), every row in one ``INSERT``; their
    e-mails queued after commit. Returns the notifications written."""
    escalated = [
        (case, ev)
        for case, previous, ev in moved
        if ev.level > previous and ev.level >= values["notify_min_level"]
    ]
    if not escalated:
        return 0
    addresses = {
        pk: _CaseAddress(pk, number, center_id, channel_id, SimpleNamespace(path=path))
        for pk, number, center_id, channel_id, path in Case.objects.filter(
            pk__in=[case.pk for case, _ev in escalated]
        ).values_list("pk", "number", "center_id", "channel_id", "center__path")
    }
    recipients = escalation_recipients(
        [addresses[case.pk] for case, _ev in escalated if case.pk in addresses]
    )
    columns = {name: [] for name in ("user_id", "case_id", "title", "body", "email_to", "email_state")}
    text = _EscalationText()
    for case, ev in escalated:
        address = addresses.get(case.pk)
        if address is None:
            continue
        # the change row's reason (cut to its column), as notify_escalations reads it from the row
        title, body = text(address.number, ev.level, ev.reason[:300], case.response_due_at)
        for user in recipients.get(case.pk, []):
            columns["user_id"].append(user.pk)
            columns["case_id"].append(case.pk)
            columns["title"].append(title[:200])
            columns["body"].append(body)
            columns["email_to"].append(user.email or "")
            columns["email_state"].append(
                Notification.EmailState.PENDING if user.email else Notification.EmailState.NONE
            )
    if not columns["user_id"]:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Notification._meta.db_table}"
            " (user_id, case_id, kind, title, body, created_at, email_to, email_state, email_attempts)"
            " SELECT v.user_id, v.case_id, 'escalation', v.title, v.body, %s, v.email_to, v.email_state, 0"
            f" FROM {_NOTIFICATION_ROWS}"
            " RETURNING id, email_state",
            [timezone.now(), *columns.values()],
        )
        ids = [pk for pk, state in cursor.fetchall() if state == Notification.EmailState.PENDING]
    if ids:
        transaction.on_commit(lambda: queue_emails(ids))
    return len(columns["user_id"])


def new_notification(user: User, case: Case | None, kind: str, title: str, body: str) -> Notification:
    return Notification(
        user=user,
        case=case,
        kind=kind,
        title=title[:200],
        body=body,
        email_to=user.email or "",
        email_state=Notification.EmailState.PENDING if user.email else Notification.EmailState.NONE,
    )


def create_notifications(rows: list[Notification]) -> list[Notification]:
    """Store in-app notifications; their e-mails are queued only after the transaction commits."""
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.email_state == Notification.EmailState.PENDING]
    if ids:
        transaction.on_commit(lambda: queue_emails(ids))
    return created


def queue_emails(ids: list[int]) -> None:
    """Hand e-mails to Celery; if the broker is down they stay pending and the sweep retries them."""
    for pk in ids:
        try:
            send_notification_email.delay(pk)
        except Exception:  # broker outage: the outbox row is still pending, nothing is lost
            log.warning("broker unavailable; notification %s stays in the outbox", pk)
            return


@entry_point(own_transactions=True)  # reads committed rows and hands them to the broker
def retry_pending_emails(*, now: dt.datetime | None = None) -> int:
    """The outbox: re-queue e-mails still pending a while after they were written (broker was down)."""
    now = now or timezone.now()
    minutes = warning_settings()["email_retry_minutes"]
    ids = list(
        Notification.objects.filter(
            email_state=Notification.EmailState.PENDING, created_at__lte=now - dt.timedelta(minutes=minutes)
        ).values_list("pk", flat=True)[:500]
    )
    if ids:
        queue_emails(ids)
    return len(ids)


@entry_point
def send_notification_email_now(notification_id: int) -> bool:
    """Send one pending e-mail, once; True if this call sent it."""
    from django.core.mail import send_mail

    notification = (
        Notification.objects.select_for_update()
        .filter(pk=notification_id, email_state=Notification.EmailState.PENDING)
        .first()
    )
    if notification is None:
        return False
    notification.email_attempts += 1
    send_mail(notification.title, notification.body or notification.title, None, [notification.email_to])
    notification.email_state = Notification.EmailState.SENT
    notification.email_sent_at = timezone.now()
    notification.save(update_fields=["email_state", "email_attempts", "email_sent_at"])
    return True


@entry_point
def mark_notifications_read(user: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


@shared_task(
    name="cases.tasks.send_notification_email",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=5,
)
def send_notification_email(notification_id: int) -> bool:
    """Send one outbox e-mail (Celery task; the name is kept from before the move, beat rows name it)."""
    return send_notification_email_now(notification_id)
