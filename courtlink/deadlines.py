"""The judicial-confirmation window as a database timer (人民调解法 art. 33: within 30 days of the agreement
taking effect).

A row is made when an agreement takes effect (the timeline hook, in the same transaction) and by the sweep
for any effective agreement that has none (an agreement made effective before this app was installed). The
sweep (``courtlink.tasks``, Celery beat) warns once ``COURTLINK_WARN_DAYS_BEFORE`` days before the last day
and notes once when the window passed unapplied: each mark is a conditional UPDATE of a NULL column, so a
repeated or concurrent sweep changes nothing twice, and each mark writes its one timeline event. It works a
batch of rows at a time (one transaction, a fixed number of statements), not a row at a time.
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cases.core.events import AGREEMENT_EFFECTIVE
from cases.core.models import Case, TimelineEvent
from cases.core.timeline import RECORD_HOOKS, EventType
from cases.core.workcalendar import one_reference_version
from cases.lifecycle.models import Agreement
from courtlink import events
from courtlink.models import ConfirmationDeadline
from mediation_center.dialect import OneOf, fast_paths, unnest_rows
from mediation_center.transactions import entry_point


def window_dates(agreement: Agreement) -> tuple[dt.date, dt.date]:
    """The last day to apply and the day the warning is due."""
    due = agreement.confirmation_deadline
    return due, due - dt.timedelta(days=max(0, settings.COURTLINK_WARN_DAYS_BEFORE))


def ensure_window(agreement: Agreement) -> ConfirmationDeadline | None:
    """The agreement's window row (made once; None for an agreement not effective)."""
    if agreement.effective_on is None or agreement.voided:
        return None
    due, warn = window_dates(agreement)
    row, _created = ConfirmationDeadline.objects.get_or_create(
        agreement=agreement,
        defaults={
            "case_id": agreement.case_id,
            "effective_on": agreement.effective_on,
            "due_on": due,
            "warn_on": warn,
        },
    )
    return row


def on_timeline_event(case: Case, event: TimelineEvent) -> None:
    """RECORD_HOOKS: an agreement took effect, so its window starts (in the caller's transaction)."""
    if event.type != AGREEMENT_EFFECTIVE.code:
        return
    agreement = Agreement.objects.filter(pk=(event.data or {}).get("agreement"), case_id=case.pk).first()
    if agreement is not None:
        ensure_window(agreement)


@dataclass
class SweepResult:
    created: int = 0
    warned: int = 0
    lapsed: int = 0


BACKFILL_DAYS = 60  # effective agreements this recent without a row get one (older windows are long over)
PER_SWEEP = 500  # rows of each kind one sweep marks at most; the rest are the next run's


@dataclass(frozen=True)
class _Mark:
    """One kind of mark: the column set once, the rows due for it, and the event it writes."""

    column: str
    event: EventType
    due: Callable[[dt.date], dict]  # the selection (filter keywords), for today
    guard: tuple[str, ...]  # the columns still NULL at the UPDATE (the mark is set at most once)
    data: Callable[[ConfirmationDeadline, dt.date], dict]


WARNING = _Mark(
    column="warned_at",
    event=events.DEADLINE_WARNED,
    due=lambda today: {
        "applied_at__isnull": True,
        "warned_at__isnull": True,
        "lapsed_at__isnull": True,
        "warn_on__lte": today,
        "due_on__gte": today,
    },
    guard=("applied_at", "warned_at"),
    data=lambda row, today: {
        "agreement": row.agreement_id,
        "due_on": row.due_on.isoformat(),
        "days_left": (row.due_on - today).days,
        "reason": "sweep",
    },
)
LAPSE = _Mark(
    column="lapsed_at",
    event=events.DEADLINE_LAPSED,
    due=lambda today: {"applied_at__isnull": True, "lapsed_at__isnull": True, "due_on__lt": today},
    guard=("applied_at", "lapsed_at"),
    data=lambda row, _today: {
        "agreement": row.agreement_id,
        "due_on": row.due_on.isoformat(),
        "reason": "sweep",
    },
)


@entry_point(own_transactions=True)  # one transaction per batch, so a failure later keeps earlier batches
def sweep_confirmation_windows(
    *, now: dt.datetime | None = None, limit: int = PER_SWEEP, batch_size: int = PER_SWEEP
) -> SweepResult:
    """Backfill missing windows, warn of windows about to close and note the ones that closed unapplied;
    safe to run twice, and at once.

    Up to ``limit`` rows of each kind, ``batch_size`` rows per durable transaction, in a fixed number of
    statements per batch whatever its size:

    1. Backfill: effective agreements of the last ``JUDICIAL_CONFIRMATION_DAYS + BACKFILL_DAYS`` days with no
       window get one (``INSERT … ON CONFLICT DO NOTHING``: the agreement's own hook may make it at the same
       moment).
    2. Warnings, then lapses (``_mark_batch``): the due rows, oldest first, ``FOR UPDATE SKIP LOCKED`` (two
       sweeps at once take different rows), each marked by a conditional UPDATE of its NULL column — the second
       guard — and, for the rows this sweep marked, their timeline events (actor None, reason "sweep") with
       the timeline's hooks called for each event as ``EventType.record`` calls them.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = SweepResult()
    result.created = _in_batches(lambda size: _backfill_batch(today, size), limit, batch_size)
    result.warned = _in_batches(lambda size: _mark_batch(WARNING, today, now, size), limit, batch_size)
    result.lapsed = _in_batches(lambda size: _mark_batch(LAPSE, today, now, size), limit, batch_size)
    return result


def _in_batches(batch: Callable[[int], tuple[int, int]], limit: int, batch_size: int) -> int:
    """Run ``batch(size)`` — (rows taken, rows written) — one durable transaction each, until ``limit`` rows
    were taken or a batch took fewer than it asked for; answers the rows written. A taken row leaves the
    selection (marked, made, or changed by another transaction meanwhile), and the loop ends at ``limit``."""
    taken = written = 0
    while taken < limit:
        size = min(batch_size, limit - taken)
        with transaction.atomic(durable=True):
            got, wrote = batch(size)
        taken += got
        written += wrote
        if got < size:
            break
    return written


def _backfill_batch(today: dt.date, size: int) -> tuple[int, int]:
    missing = (
        Agreement.objects.filter(
            effective_on__gte=today - dt.timedelta(days=settings.JUDICIAL_CONFIRMATION_DAYS + BACKFILL_DAYS),
            voided=False,
            confirmation_window__isnull=True,
        )
        # the newest first: the model's order, which the sweep always took them in
        .order_by("-created_at", "-pk")
        .only("pk", "case_id", "effective_on", "voided")[:size]
    )
    with one_reference_version():  # (the calendar of each window's last day, in one cache round trip)
        rows = [
            ConfirmationDeadline(
                agreement_id=a.pk, case_id=a.case_id, effective_on=a.effective_on, due_on=due, warn_on=warn
            )
            for a in missing
            for due, warn in [window_dates(a)]
        ]
    if not rows:
        return 0, 0
    if fast_paths(connection):
        return len(rows), _insert_windows(rows)
    # The portable form: the rows none has yet, in one insert (SQLite has one writer: the read and the
    # insert see the same rows, or the insert fails on a write another connection made in between).
    existing = set(
        ConfirmationDeadline.objects.filter(
            OneOf("agreement_id", [r.agreement_id for r in rows])
        ).values_list("agreement_id", flat=True)
    )
    new = [r for r in rows if r.agreement_id not in existing]
    ConfirmationDeadline.objects.bulk_create(new, ignore_conflicts=True)
    return len(rows), len(new)


_WINDOW_ROWS = unnest_rows(
    [
        ("agreement_id", "bigint"),
        ("case_id", "bigint"),
        ("effective_on", "date"),
        ("due_on", "date"),
        ("warn_on", "date"),
    ]
)


def _insert_windows(rows: list[ConfirmationDeadline]) -> int:
    """PostgreSQL: the windows in one statement, skipping those another transaction made meanwhile."""
    table = ConfirmationDeadline._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agreement_id, case_id, effective_on, due_on, warn_on) "
            f"SELECT * FROM {_WINDOW_ROWS} ON CONFLICT (agreement_id) DO NOTHING RETURNING id",
            [
                [getattr(r, name) for r in rows]
                for name in ("agreement_id", "case_id", "effective_on", "due_on", "warn_on")
            ],
        )
        return len(cursor.fetchall())


def _mark_batch(mark: _Mark, today: dt.date, now: dt.datetime, size: int) -> tuple[int, int]:
    rows = list(
        ConfirmationDeadline.objects.filter(**mark.due(today))
        .order_by("pk")
        .select_related("case")  # (the hooks' case, as ``record`` is given it)
        .select_for_update(skip_locked=True, of=("self",))[:size]
    )
    if not rows:
        return 0, 0
    datas = {row.pk: mark.data(row, today) for row in rows}
    if fast_paths(connection):
        written = _mark_in_one_statement(mark, rows, datas, now)
    else:
        written = _mark_portably(mark, rows, datas, now)
    cases = {row.case_id: row.case for row in rows}
    for event in written:  # (in the order of their ids: the rows' order)
        event.case = cases[event.case_id]
        for hook in RECORD_HOOKS:  # as EventType.record calls them, once per event
            hook(event.case, event)
    return len(rows), len(written)


_MARK_ROWS = unnest_rows([("id", "bigint"), ("case_id", "bigint"), ("data", "jsonb")])


def _mark_in_one_statement(mark: _Mark, rows: list, datas: dict, now: dt.datetime) -> list[TimelineEvent]:
    """PostgreSQL: the conditional UPDATE of the batch and the events of the rows it marked, in one statement
    (``RETURNING`` says which rows are this sweep's; the events' seal trigger, records/, runs for each row
    as for any insert)."""
    table, event_table = ConfirmationDeadline._meta.db_table, TimelineEvent._meta.db_table
    guard = " AND ".join(f"d.{column} IS NULL" for column in mark.guard)
    created_at = timezone.now()  # (as ``record``'s create stamps its event: auto_now_add)
    sql = f"""
WITH v AS (
  SELECT * FROM {_MARK_ROWS}
), marked AS (
  UPDATE {table} d SET {mark.column} = %s FROM v WHERE d.id = v.id AND {guard} RETURNING d.id
)
INSERT INTO {event_table} (case_id, type, actor_id, created_at, is_public, data)
SELECT v.case_id, %s, NULL, %s, %s, v.data FROM v JOIN marked USING (id) ORDER BY v.id
RETURNING id, case_id, data::text"""
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                [row.pk for row in rows],
                [row.case_id for row in rows],
                [json.dumps(datas[row.pk]) for row in rows],
                now,
                mark.event.code,
                created_at,
                mark.event.public,
            ],
        )
        returned = sorted(cursor.fetchall())
    return [
        TimelineEvent(
            pk=pk,
            case_id=case_id,
            type=mark.event.code,
            actor=None,
            created_at=created_at,
            is_public=mark.event.public,
            data=json.loads(data),
        )
        for pk, case_id, data in returned
    ]


def _mark_portably(mark: _Mark, rows: list, datas: dict, now: dt.datetime) -> list[TimelineEvent]:
    """Elsewhere (SQLite): the same conditional UPDATE, then the rows it marked (stamped with this sweep's
    ``now``; the UPDATE holds the one write lock from then on) get their events in one insert."""
    ids = [row.pk for row in rows]
    ConfirmationDeadline.objects.filter(
        OneOf("pk", ids), **{f"{c}__isnull": True for c in mark.guard}
    ).update(**{mark.column: now})
    mine = set(
        ConfirmationDeadline.objects.filter(OneOf("pk", ids), **{mark.column: now}).values_list(
            "pk", flat=True
        )
    )
    return TimelineEvent.objects.bulk_create(
        [
            TimelineEvent(
                case=row.case,
                type=mark.event.code,
                actor=None,
                is_public=mark.event.public,
                data=datas[row.pk],
            )
            for row in rows
            if row.pk in mine
        ]
    )
