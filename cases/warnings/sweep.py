"""Recomputing warning levels: the hook other services call on every change, and the periodic sweep."""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone, translation
from django.utils.translation import get_language

from accounts.models import User
from cases.core.events import LEVEL_CHANGED
from cases.core.models import Case, TimelineEvent, WarningLevel
from cases.core.services import lock_case
from cases.core.states import OPEN_STATUSES, Status
from cases.core.workcalendar import (
    WorkCalendar,
)
from cases.warnings.clocks import (
    ClockState,
    _copy_policy,
    by_due,
    matching_clocks,
    refresh_clock,
    sync_clocks,
    trigger_times,
)
from cases.warnings.levels import Evaluation, evaluate, response_due
from cases.warnings.models import (
    CaseClock,
    ClockExtension,
    ClockPause,
    ClockTrigger,
    ManualRaise,
    SupervisionOrder,
    WarningChange,
)
from cases.warnings.notifications import is_baseline, notify_escalations, notify_swept_escalations
from cases.warnings.thresholds import warning_settings
from mediation_center.dialect import OneOf, fast_paths, unnest_rows, update_rows  # the sweep's bulk writer
from mediation_center.transactions import entry_point

# --- lead-completed inputs ------------------------------------------------------------------

# A batch's level changes as rows (PostgreSQL fast path, one statement with their events).
_CHANGE_ROWS = unnest_rows(
    [
        ("case_id", "bigint"),
        ("from_level", "smallint"),
        ("to_level", "smallint"),
        ("basis", "text"),
        ("reason", "text"),
        ("actor_id", "bigint"),
        ("response_due_at", "timestamptz"),
        ("data", "jsonb"),
    ]
)


def failed_sessions_by_case(case_ids: list[int]) -> dict[int, int]:
    """Mediation sessions per case that ended without agreement (one query for the whole batch)."""
    from cases.lifecycle.models import MediationSession, SessionOutcome

    rows = (
        MediationSession.objects.filter(OneOf("case_id", case_ids), outcome=SessionOutcome.FAILED)
        .values("case_id")
        .annotate(n=Count("pk"))
    )
    return {row["case_id"]: row["n"] for row in rows}


CASE_LEVEL_FIELDS = [
    "risk_level",
    "time_level",
    "warning_level",
    "due_at",
    "response_due_at",
    "next_check_at",
]


def _apply(case: Case, ev: Evaluation, values: dict, now: dt.datetime) -> tuple[int, bool]:
    """Copy an evaluation onto the case (unsaved); returns (previous level, changed?)."""
    previous = case.warning_level
    case.risk_level, case.time_level = ev.risk_level, ev.time_level
    case.due_at, case.next_check_at = ev.due_at, ev.next_check_at
    changed = ev.level != previous
    if changed or (case.response_due_at is None and ev.level):
        case.response_due_at = response_due(ev.level, values, now)
    if not ev.level:
        case.response_due_at = None
    case.warning_level = ev.level
    return previous, changed


def _change_rows(case: Case, previous: int, ev: Evaluation, seq: int, now: dt.datetime, actor_id=None):
    change = WarningChange(
        case_id=case.pk,
        seq=seq,
        from_level=previous,
        to_level=ev.level,
        basis=ev.basis,
        reason=ev.reason[:300],
        actor_id=actor_id or ev.actor_id,
        response_due_at=case.response_due_at,
        created_at=now,
    )
    event = TimelineEvent(
        case_id=case.pk,
        type=LEVEL_CHANGED.code,
        actor_id=actor_id or ev.actor_id,
        is_public=False,
        data={
            "from": previous,
            "to": ev.level,
            "basis": ev.basis,
            "reason": ev.reason,
            "set_by": "person" if (actor_id or ev.actor_id) else "rule",
            "response_due_at": case.response_due_at.isoformat() if case.response_due_at else None,
        },
    )
    if isinstance(case, Case):  # (the sweep passes plain rows; the notifications load what they need)
        change.case = event.case = case
    return change, event


# --- the hook -------------------------------------------------------------------------------
def on_case_changed(
    case: Case, *, trigger: str | None = None, actor: User | None = None, at: dt.datetime | None = None
) -> Case:
    """Start/stop the case's clocks for ``trigger`` and recompute its levels; runs in the caller's transaction."""
    now = timezone.now()
    at = at or now
    with transaction.atomic():
        locked = lock_case(case)
        for name in CASE_LEVEL_FIELDS:  # another transaction may have moved them since the caller read
            setattr(case, name, getattr(locked, name))
        calendar = WorkCalendar()
        clocks, started = sync_clocks(case, trigger=trigger, at=at, calendar=calendar)
        # The clocks were just read with their pauses and extensions: evaluate those, not a second read
        # (in the model's order, by due time, which the level's reason follows).
        states = sorted((ClockState.of(c, now, fresh=c.code in started) for c in clocks), key=by_due)
        _recompute(case, actor=actor, now=now, calendar=calendar, clocks=states)
    return case


def on_case_registered(case: Case, *, actor: User | None = None) -> Case:
    """``on_case_changed(case, trigger="registered")`` for a case created in the caller's transaction; runs in the caller's transaction.

    Nothing of the case's own can exist yet (clocks, pauses, supervision orders, raises, sessions, level
    changes) and nobody else can see its row, so nothing is read back: its clocks are started and its
    first level recorded with the values in hand."""
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        calendar = WorkCalendar()
        clocks, _started = sync_clocks(case, trigger="registered", at=now, calendar=calendar, existing={})
        states = sorted((ClockState.of(c, now, fresh=True) for c in clocks), key=by_due)
        _recompute(case, actor=actor, now=now, calendar=calendar, clocks=states, new_case=True)
    return case


def on_case_ended_now(case: Case, *, actor: User | None = None, batch: list | None = None) -> Case:
    """For a case registered and ended (concluded and closed) in the caller's transaction, e.g. grassroots'
    quick record settled on the spot; runs in the caller's transaction.

    What ``on_case_registered`` and an ``on_case_changed`` per step would have left, written at once: the
    clocks whose start event happened, each already stopped by its stop event (or by the closing), in one
    insert; the case's first level (as registered, with those clocks running) and its clearing as it ends,
    the two baseline changes (no timeline event of their own, ``is_baseline``), in one insert. The moves in
    between happened at no moment anybody could see, so none is recorded; nothing is read back, and the
    case's own level columns keep the values of an ended case (no level, no deadline, no next check).
    With ``batch`` (``mediation_center.dialect.insert_together``'s groups) the clocks and changes are added
    to it for the caller to write with its other rows (a notification is still written here)."""
    now = timezone.now()
    calendar = WorkCalendar()
    values = warning_settings()
    times = trigger_times(case, None, now)
    closed_at = times[ClockTrigger.CLOSED]
    clocks = []
    for code, source in matching_clocks(case).items():
        start = times.get(source.start_trigger)
        if start is None or source.start_trigger == ClockTrigger.CLOSED:
            continue  # (a clock started by the closing is never started: the case is terminal by then)
        clock = CaseClock(case=case, code=code, started_at=start, due_at=start)
        _copy_policy(clock, source)
        refresh_clock(clock, calendar, now)
        stop = times.get(clock.stop_trigger)
        if stop is not None and stop >= clock.started_at:
            clock.stopped_at, clock.stop_reason = stop, clock.stop_trigger
        else:
            clock.stopped_at, clock.stop_reason = max(closed_at, clock.started_at), ClockTrigger.CLOSED
        clocks.append(clock)
    if batch is None:
        CaseClock.objects.bulk_create(clocks)
    else:
        batch.append((clocks, False))
    # The first level: the case as it was registered (open, no channel yet), its clocks of that moment running.
    accepted = times.get(ClockTrigger.ACCEPTED, case.created_at)
    opened = copy.copy(case)
    opened.status, opened.channel_id = Status.REGISTERED, None
    running = sorted(
        (
            ClockState(c.name, c.unit, c.length, c.started_at, c.due_at, c.provisional, None, [], True, None)
            for c in clocks
            if c.started_at <= accepted
        ),
        key=by_due,
    )
    first = evaluate(
        opened,
        clocks=running,
        orders=[],
        raises=[],
        failed_sessions=0,
        values=values,
        calendar=calendar,
        now=accepted,
    )
    if not first.level:
        return case
    _apply(opened, first, values, accepted)
    raised, _event = _change_rows(opened, WarningLevel.NONE, first, 1, accepted)
    ended = evaluate(
        case, clocks=[], orders=[], raises=[], failed_sessions=0, values=values, calendar=calendar, now=now
    )
    cleared, _event = _change_rows(case, first.level, ended, 2, now)
    if batch is None:
        WarningChange.objects.bulk_create([raised, cleared])
    else:
        batch.append(([raised, cleared], False))
    notify_escalations([raised], values)
    return case


def recompute_case(
    case: Case,
    *,
    actor: User | None = None,
    now: dt.datetime | None = None,
    calendar: WorkCalendar | None = None,
    basis: str | None = None,
) -> WarningChange | None:
    """Evaluate one (locked) case and save its level columns; records a change only if the level moved.

    Runs in the caller's transaction."""
    return _recompute(case, actor=actor, now=now, calendar=calendar, basis=basis)


def _recompute(
    case: Case,
    *,
    actor: User | None = None,
    now: dt.datetime | None = None,
    calendar: WorkCalendar | None = None,
    basis: str | None = None,
    clocks: list[ClockState] | None = None,
    new_case: bool = False,
) -> WarningChange | None:
    now = now or timezone.now()
    calendar = calendar or WorkCalendar()
    values = warning_settings()
    if clocks is None:
        clocks = [
            ClockState.of(c, now)
            for c in CaseClock.objects.filter(case=case).prefetch_related("pauses", "extensions")
        ]
    if new_case:
        orders, raises, failed = [], [], 0
    else:
        orders = list(
            SupervisionOrder.objects.filter(case=case).exclude(state=SupervisionOrder.State.REPORTED)
        )
        raises = list(ManualRaise.objects.filter(case=case)) if case.is_open else []
        failed = failed_sessions_by_case([case.pk]).get(case.pk, 0)
    ev = evaluate(
        case,
        clocks=clocks,
        orders=orders,
        raises=raises,
        failed_sessions=failed,
        values=values,
        calendar=calendar,
        now=now,
    )
    if basis:
        ev.basis = basis
    previous, changed = _apply(case, ev, values, now)
    case.save(update_fields=[*CASE_LEVEL_FIELDS, "updated_at"])
    if not changed:
        return None
    if new_case:
        seq = 1
    else:
        seq = (WarningChange.objects.filter(case=case).aggregate(m=Max("seq"))["m"] or 0) + 1
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) and ev.basis == "manual" else None
    change, event = _change_rows(case, previous, ev, seq, now, actor_id)
    change.save()
    if not is_baseline(change):
        event.save()
    notify_escalations([change], values)
    return change


# --- the sweep ------------------------------------------------------------------------------
@entry_point(own_transactions=True)  # one transaction per batch
def sweep_due_cases(
    *, now: dt.datetime | None = None, batch_size: int = 2000, workers: int | None = None
) -> int:
    """Re-evaluate every case whose next check is due, a batch at a time; returns level changes recorded.

    The algorithm, one durable transaction per batch:

    1. Take up to ``batch_size`` cases with ``next_check_at <= now``, oldest first, ``FOR UPDATE SKIP
       LOCKED`` (two sweeps at once take different cases), as plain value rows (``_SweptCase``).
    2. Read what their levels depend on in a fixed number of set-based queries (``_sweep_inputs``): running
       clocks with their pauses, open supervision orders, manual raises, failed sessions.
    3. Evaluate each case in Python with the same pure function every service uses (``levels.evaluate``),
       against the thresholds and the working-day calendar read once for the whole sweep.
    4. Write only what changed: the cases' level columns and next check in one bulk UPDATE
       (``mediation_center.dialect.update_rows``), one ``WarningChange`` row per change with a unique
       (case, seq) — the second guard against a concurrent or repeated sweep — and, for the rows this
       sweep inserted, their timeline events and notifications (e-mails queued after commit).
    5. Repeat until no case is due. A case's next check is the next moment one of its levels can change (a
       clock's yellow, orange or due time, a supervision order's deadlines, tomorrow for a paused clock), so a
       swept case leaves the selection; every other change goes through ``on_case_changed``.

    On PostgreSQL outside a transaction, ``workers`` connections (``WARNING_SWEEP_WORKERS``, default 2) do
    this at once, each taking its own batches (``SKIP LOCKED``: no case is in two batches, and a batch's
    rows are the same whichever connection takes it), this thread being one of them; each batch of a
    worker is ``batch_size / workers`` cases, so the batches open at once hold as many locks as one batch
    of ``batch_size`` (the timeline seal's advisory lock per case, ``max_locks_per_transaction``).
    Elsewhere (SQLite, a caller's or a test's transaction) one connection does it all, batch after batch.
    """
    now = now or timezone.now()
    workers = settings.WARNING_SWEEP_WORKERS if workers is None else workers
    calendar = WorkCalendar()
    values = warning_settings()
    seen: set[int] = set()
    if workers <= 1 or not fast_paths(connection) or connection.in_atomic_block:
        return _sweep(now, batch_size, calendar, values, seen)
    size = max(1, batch_size // workers)
    language, zone = get_language(), timezone.get_current_timezone()
    totals: list[int] = []
    errors: list[BaseException] = []

    def work():
        try:
            with translation.override(language), timezone.override(zone):
                totals.append(_sweep(now, size, calendar, values, seen))
        except BaseException as error:  # re-raised in the caller's thread below
            errors.append(error)
        finally:
            connections.close_all()  # this thread's own connection

    threads: list[threading.Thread] = []

    def more_due():  # the first batch was full: start the others (an idle sweep opens no connection)
        threads.extend(threading.Thread(target=work, name=f"sweep-{i}") for i in range(1, workers))
        for thread in threads:
            thread.start()

    try:
        totals.append(_sweep(now, size, calendar, values, seen, more_due))
    finally:
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    return sum(totals)


def _sweep(
    now: dt.datetime, batch_size: int, calendar: WorkCalendar, values: dict, seen: set[int], more_due=None
) -> int:
    """Batches on this thread's connection until no case is due that no other sweep holds; ``more_due`` is
    called once, after the first batch, if that batch was full."""
    total = 0
    while True:
        with transaction.atomic(durable=True):
            # A swept case's next check is later than ``now`` (or none), so it leaves this selection;
            # ``seen`` only guards against looping should one ever come back.
            cases = [
                case
                for case in map(
                    _SweptCase._make,
                    Case.objects.filter(next_check_at__lte=now)
                    .order_by("next_check_at")
                    .select_for_update(skip_locked=True)
                    .values_list(*_SWEPT_COLUMNS)[:batch_size],
                )
                if case.pk not in seen
            ]
            if not cases:
                return total
            seen.update(case.pk for case in cases)
            total += _sweep_batch(cases, now=now, calendar=calendar, values=values)
        if more_due is not None:
            if len(cases) == batch_size:
                more_due()
            more_due = None


@dataclass(slots=True)
class _SweptCase:
    """What the level needs of a case, and its level columns, as plain values (fields: ``_SWEPT_COLUMNS``)."""

    pk: int
    status: str
    people_count: int
    amount: object
    repeat_count: int
    police_calls: int
    risk_violence: bool
    risk_mass_incident: bool
    risk_upward_petition: bool
    risk_level: int
    time_level: int
    warning_level: int
    due_at: dt.datetime | None
    response_due_at: dt.datetime | None
    next_check_at: dt.datetime | None
    number: str  # (the escalation notifications' text and recipients: notify_swept_escalations)
    center_id: int
    channel_id: int | None

    @classmethod
    def _make(cls, row: tuple) -> _SweptCase:
        return cls(*row)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def levels(self) -> tuple:  # (CASE_LEVEL_FIELDS, in their order)
        return (
            self.risk_level,
            self.time_level,
            self.warning_level,
            self.due_at,
            self.response_due_at,
            self.next_check_at,
        )


_SWEPT_COLUMNS = [
    "pk",
    "status",
    "people_count",
    "amount",
    "repeat_count",
    "police_calls",
    "risk_violence",
    "risk_mass_incident",
    "risk_upward_petition",
    *CASE_LEVEL_FIELDS,
    "number",
    "center_id",
    "channel_id",
]


def _sweep_inputs(ids: list[int], now: dt.datetime):
    """The batch's running clocks, open orders, raises and failed sessions as plain values (six queries)."""
    running = CaseClock.objects.filter(OneOf("case_id", ids), stopped_at__isnull=True)
    extended = dict(
        ClockExtension.objects.filter(clock__in=running)
        .values("clock_id")
        .annotate(n=Sum("length"))
        .values_list("clock_id", "n")
    )
    spans: dict[int, list] = {}
    for clock_id, started_at, ended_at in ClockPause.objects.filter(clock__in=running).values_list(
        "clock_id", "started_at", "ended_at"
    ):
        spans.setdefault(clock_id, []).append((started_at, ended_at or now))
    clocks: dict[int, list[ClockState]] = {}
    for pk, case_id, name, unit, length, started_at, due_at, provisional, paused_since in running.values_list(
        "pk", "case_id", "name", "unit", "length", "started_at", "due_at", "provisional", "paused_since"
    ):  # (in the model's order, by due time, as the levels' reasons expect)
        clocks.setdefault(case_id, []).append(
            ClockState(
                name,
                unit,
                length + extended.get(pk, 0),
                started_at,
                due_at,
                provisional,
                paused_since,
                spans.get(pk, []),
                True,
                pk,
            )
        )
    orders: dict[int, list] = {}
    for row in (
        SupervisionOrder.objects.filter(OneOf("case_id", ids))
        .exclude(state=SupervisionOrder.State.REPORTED)
        .values_list("case_id", "state", "deadline", "created_at", named=True)
    ):
        orders.setdefault(row.case_id, []).append(row)
    raises: dict[int, list] = {}
    for row in ManualRaise.objects.filter(OneOf("case_id", ids)).values_list(
        "case_id", "level", "reason", "actor_id", named=True
    ):  # newest first (the model's order): the newest of the highest raises gives the reason
        raises.setdefault(row.case_id, []).append(row)
    return clocks, orders, raises, failed_sessions_by_case(ids)


def _sweep_batch(cases: list[_SweptCase], *, now: dt.datetime, calendar: WorkCalendar, values: dict) -> int:
    clocks, orders, raises, failed = _sweep_inputs([case.pk for case in cases], now)
    changed_clocks: list[ClockState] = []
    changed_cases: list[_SweptCase] = []
    moved: list[tuple[_SweptCase, int, Evaluation]] = []
    language = get_language()  # (once: each lookup costs as much as a level)
    for case in cases:
        states = clocks.get(case.pk, [])
        for state in states:
            if state.refresh(calendar):
                changed_clocks.append(state)
        ev = evaluate(
            case,
            clocks=states,
            orders=orders.get(case.pk, []),
            raises=raises.get(case.pk, []) if case.is_open else [],
            failed_sessions=failed.get(case.pk, 0),
            values=values,
            calendar=calendar,
            now=now,
            language=language,
        )
        before = case.levels()
        previous, changed = _apply(case, ev, values, now)
        if case.levels() != before:  # a case whose levels stay gets only its new next check
            changed_cases.append(case)
        if changed:
            moved.append((case, previous, ev))
    update_rows(
        CaseClock, ["due_at", "provisional"], [(c.pk, c.due_at, c.provisional) for c in changed_clocks]
    )
    update_rows(Case, CASE_LEVEL_FIELDS, [(c.pk, *c.levels()) for c in changed_cases])
    if not moved:
        return 0
    if fast_paths(connection):
        recorded = _record_changes_in_one_statement(moved, now)
        notify_swept_escalations(
            [(case, previous, ev) for case, previous, ev in moved if case.pk in recorded], values
        )
        return len(recorded)
    # The portable form (SQLite): the same rows, in five statements.
    last_seq = dict(
        WarningChange.objects.filter(case_id__in=[case.pk for case, _previous, _ev in moved])
        .values("case_id")
        .annotate(m=Max("seq"))
        .values_list("case_id", "m")
    )
    changes, events = [], []
    for case, previous, ev in moved:
        change, event = _change_rows(case, previous, ev, last_seq.get(case.pk, 0) + 1, now)
        changes.append(change)
        events.append(event)
    WarningChange.objects.bulk_create(changes, ignore_conflicts=True)
    mine = set(
        WarningChange.objects.filter(case_id__in=[c.case_id for c in changes], created_at=now).values_list(
            "case_id", "seq"
        )
    )
    recorded = [c for c in changes if (c.case_id, c.seq) in mine]
    recorded_cases = {c.case_id for c in recorded}
    baseline = {c.case_id for c in recorded if is_baseline(c)}
    TimelineEvent.objects.bulk_create([e for e in events if e.case_id in recorded_cases - baseline])
    notify_escalations(recorded, values)
    return len(recorded)


def _record_changes_in_one_statement(
    moved: list[tuple[_SweptCase, int, Evaluation]], now: dt.datetime
) -> set[int]:
    """The batch's ``WarningChange`` rows and their timeline events in one statement (PostgreSQL); returns the
    cases whose change this sweep recorded.

    The same rows as the portable form: each change's ``seq`` is the case's last plus one, read in the same
    statement (the sweep holds the case rows' locks, and every other writer of a case's changes locks its
    row first); ``ON CONFLICT DO NOTHING`` on the unique (case, seq) is the second guard against a concurrent
    sweep, and ``RETURNING`` says which rows are this sweep's, so only they get an event (never a baseline
    change: the first level or its clearing, ``is_baseline``). The events' triggers (the hash chain of each
    case, records/) run for every row as for any insert."""
    change_table, event_table = WarningChange._meta.db_table, TimelineEvent._meta.db_table
    case_ids, from_levels, to_levels, bases, reasons, actors, responses, datas = ([] for _ in range(8))
    for case, previous, ev in moved:
        actor_id = ev.actor_id
        case_ids.append(case.pk)
        from_levels.append(previous)
        to_levels.append(ev.level)
        bases.append(ev.basis)
        reasons.append(ev.reason)
        actors.append(actor_id)
        responses.append(case.response_due_at)
        datas.append(
            json.dumps(
                {
                    "from": previous,
                    "to": ev.level,
                    "basis": ev.basis,
                    "reason": ev.reason,
                    "set_by": "person" if actor_id else "rule",
                    "response_due_at": case.response_due_at.isoformat() if case.response_due_at else None,
                }
            )
        )
    sql = f"""
WITH v AS (
  SELECT * FROM {_CHANGE_ROWS}
), recorded AS (
  INSERT INTO {change_table} (case_id, seq, from_level, to_level, basis, reason, actor_id, response_due_at, created_at)
  SELECT v.case_id, coalesce((SELECT max(w.seq) FROM {change_table} w WHERE w.case_id = v.case_id), 0) + 1,
         v.from_level, v.to_level, v.basis, left(v.reason, 300), v.actor_id, v.response_due_at, %s
  FROM v
  ON CONFLICT (case_id, seq) DO NOTHING
  RETURNING case_id
), events AS (
  INSERT INTO {event_table} (case_id, type, actor_id, created_at, is_public, data)
  SELECT v.case_id, %s, v.actor_id, %s, false, v.data
  FROM v JOIN recorded USING (case_id)
  WHERE v.from_level <> 0 AND v.to_level <> 0
)
SELECT case_id FROM recorded"""
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                case_ids,
                from_levels,
                to_levels,
                bases,
                reasons,
                actors,
                responses,
                datas,
                now,
                LEVEL_CHANGED.code,
                timezone.now(),  # as the portable form's bulk_create stamps its events (auto_now_add)
            ],
        )
        return {row[0] for row in cursor.fetchall()}
