"""Notifications of escalations and supervision orders, and the e-mail outbox with its Celery task."""

from __future__ import annotations

import datetime as dt
import logging

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
from mediation_center.dialect import path_ids, unnest_rows
from mediation_center.transactions import entry_point

log = logging.getLogger(__name__)
L = WarningLevel
Role = Membership.Role


# The sweep's escalations as rows, one per case (PostgreSQL fast path; SQLite writes the notifications
# with bulk_create): the statement picks each one's recipients (``notify_swept_escalations``).
_ESCALATION_ROWS = unnest_rows(
    [
        ("ord", "integer"),
        ("case_id", "bigint"),
        ("center_id", "bigint"),
        ("channel_id", "bigint"),
        ("title", "text"),
        ("body", "text"),
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
        )
        .select_related("user", "center")
        .order_by("pk")  # (the set-based form, ``notify_swept_escalations``, takes them in this order)
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
    (PostgreSQL): the same notifications in one ``INSERT … SELECT`` — the recipients are chosen by the
    statement itself, as ``escalation_recipients`` chooses them (the supervisors of the case's center and
    of every center above it, then, while nobody has claimed the case, the mediators of its center and
    channel, then its assigned mediators; each user once, in that order), so no membership, user or
    assignment row comes back to Python. The case rows carry their number, center and channel
    (``_SweptCase``); their e-mails are queued after commit. Returns the notifications written."""
    escalated = [
        (case, ev)
        for case, previous, ev in moved
        if ev.level > previous and ev.level >= values["notify_min_level"]
    ]
    if not escalated:
        return 0
    text = _EscalationText()
    columns = {name: [] for name in ("ord", "case_id", "center_id", "channel_id", "title", "body")}
    for index, (case, ev) in enumerate(escalated):
        # the change row's reason (cut to its column), as notify_escalations reads it from the row
        title, body = text(case.number, ev.level, ev.reason[:300], case.response_due_at)
        columns["ord"].append(index)
        columns["case_id"].append(case.pk)
        columns["center_id"].append(case.center_id)
        columns["channel_id"].append(case.channel_id)
        columns["title"].append(title[:200])
        columns["body"].append(body)
    membership, center = Membership._meta.db_table, Membership._meta.get_field("center").related_model
    from routing.models import CaseAssignment

    assignment, user = CaseAssignment._meta.db_table, User._meta.db_table
    pending, none = Notification.EmailState.PENDING, Notification.EmailState.NONE
    sql = f"""
WITH v AS (  -- referenced more than once, so PostgreSQL materialises it
  SELECT * FROM {_ESCALATION_ROWS}
), candidates AS (
  SELECT v.ord, m.user_id, 0 AS source, m.id AS rank
  FROM v JOIN {center._meta.db_table} cc ON cc.id = v.center_id
  CROSS JOIN LATERAL {path_ids("cc.path")}
  JOIN {membership} m ON m.center_id = p.id AND m.role = %s
  JOIN {center._meta.db_table} mc ON mc.id = m.center_id AND starts_with(cc.path, mc.path)
  UNION ALL
  SELECT v.ord, m.user_id, 0, m.id
  FROM v JOIN {membership} m ON m.role = %s AND m.center_id = v.center_id
   AND (m.channel_id IS NULL OR m.channel_id = v.channel_id)
  WHERE NOT EXISTS (SELECT 1 FROM {assignment} a WHERE a.case_id = v.case_id AND a.ended_at IS NULL)
  UNION ALL
  SELECT v.ord, a.mediator_id, 1, a.rank
  FROM v CROSS JOIN LATERAL (  -- (by the case's index, whatever the table's size)
    SELECT mediator_id, row_number() OVER (ORDER BY is_lead DESC, assigned_at, id) AS rank
    FROM {assignment} WHERE case_id = v.case_id AND ended_at IS NULL
  ) a
), firsts AS (
  SELECT DISTINCT ON (ord, user_id) ord, user_id, source, rank FROM candidates
  ORDER BY ord, user_id, source, rank
)
INSERT INTO {Notification._meta.db_table}
  (user_id, case_id, kind, title, body, created_at, email_to, email_state, email_attempts)
SELECT f.user_id, v.case_id, 'escalation', v.title, v.body, %s, u.email,
       CASE WHEN u.email <> '' THEN %s ELSE %s END, 0
FROM firsts f JOIN v ON v.ord = f.ord JOIN {user} u ON u.id = f.user_id
ORDER BY f.ord, f.source, f.rank
RETURNING id, email_state"""
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [*columns.values(), Role.SUPERVISOR, Role.MEDIATOR, timezone.now(), pending, none]
        )
        rows = cursor.fetchall()
    ids = sorted(pk for pk, state in rows if state == pending)
    if ids:
        transaction.on_commit(lambda: queue_emails(ids))
    return len(rows)


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
