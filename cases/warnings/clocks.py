"""Case clocks: which policy clocks a case runs, when they start and stop, pauses and extensions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from django.utils import timezone

from cases.core.models import Case
from cases.core.states import TERMINAL_STATUSES
from cases.core.workcalendar import (
    WorkCalendar,
    local_date,
    reference_data,
)
from cases.warnings.models import (
    CaseClock,
    ClockPause,
    ClockTrigger,
    PolicyClock,
)


# --- clocks ---------------------------------------------------------------------------------
def _load_policy_clocks() -> list[PolicyClock]:
    return list(PolicyClock.objects.filter(policy__active=True).select_related("policy").order_by("pk"))


def matching_clocks(case: Case) -> dict[str, PolicyClock]:
    """Per clock code, the clock of the most specific active policy that matches the case."""
    chosen: dict[str, tuple[int, PolicyClock]] = {}
    for clock in reference_data("policy-clocks", _load_policy_clocks):
        policy = clock.policy
        if not (
            (policy.channel_id is None or policy.channel_id == case.channel_id)
            and (policy.dispute_type_id is None or policy.dispute_type_id == case.dispute_type_id)
            and (policy.source == "" or policy.source == case.source)
        ):
            continue
        rank = policy.specificity
        if clock.code not in chosen or rank > chosen[clock.code][0]:
            chosen[clock.code] = (rank, clock)
    return {code: clock for code, (_rank, clock) in chosen.items()}


def trigger_times(case: Case, trigger: str | None, at: dt.datetime) -> dict[str, dt.datetime]:
    """When each start/stop event happened, as far as the case's own columns and this call tell."""
    times: dict[str, dt.datetime] = {}
    if case.created_at:
        times[ClockTrigger.REGISTERED] = case.created_at
    if case.accepted_at:
        # A case accepted at registration has its acceptance time taken a moment before the row's creation
        # time (``accepted_at`` is set in the service, ``created_at`` by the database field): both are one
        # event, so acceptance is never earlier than registration.
        times[ClockTrigger.ACCEPTED] = (
            max(case.accepted_at, case.created_at) if case.created_at else case.accepted_at
        )
    if case.concluded_at:
        times[ClockTrigger.CONCLUDED] = case.concluded_at
    if case.closed_at:
        times[ClockTrigger.CLOSED] = case.closed_at
    elif case.status in TERMINAL_STATUSES:
        times[ClockTrigger.CLOSED] = at
    if trigger:
        times.setdefault(trigger, at)
    return times


def _pause_spans(clock: CaseClock, now: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    if clock.pk is None:
        return []
    return [(p.started_at, p.ended_at or now) for p in clock.pauses.all()]


def refresh_clock(clock: CaseClock, calendar: WorkCalendar, now: dt.datetime) -> bool:
    """Recompute due_at and provisional; True if either changed."""
    deadline = calendar.deadline(
        clock.started_at,
        unit=clock.unit,
        length=clock.length + (clock.extended_length if clock.pk else 0),
        pauses=_pause_spans(clock, now),
    )
    changed = (clock.due_at, clock.provisional) != (deadline.due_at, deadline.provisional)
    clock.due_at, clock.provisional = deadline.due_at, deadline.provisional
    return changed


def _copy_policy(clock: CaseClock, source: PolicyClock) -> None:
    clock.policy_clock = source
    for name in (
        "name",
        "unit",
        "length",
        "stop_trigger",
        "pausable",
        "max_extensions",
        "max_extension_length",
        "citizen_facing",
    ):
        setattr(clock, name, getattr(source, name))


@dataclass(slots=True)
class ClockState:
    """A clock as levels and deadlines need it, in plain values (the sweep builds thousands from rows)."""

    name: str
    unit: str
    length: int  # approved extensions included
    started_at: dt.datetime
    due_at: dt.datetime
    provisional: bool
    paused_since: dt.datetime | None
    spans: list[tuple[dt.datetime, dt.datetime]]  # pauses, an open one ending now
    running: bool = True
    pk: int | None = None

    @classmethod
    def of(cls, clock: CaseClock, now: dt.datetime, *, fresh: bool = False) -> ClockState:
        """``fresh``: created in this transaction, so it has no pauses or extensions to read."""
        return cls(
            clock.name,
            clock.unit,
            clock.length + (clock.extended_length if clock.pk and not fresh else 0),
            clock.started_at,
            clock.due_at,
            clock.provisional,
            clock.paused_since,
            [] if fresh else _pause_spans(clock, now),
            clock.running,
            clock.pk,
        )

    def refresh(self, calendar: WorkCalendar) -> bool:
        """Recompute due_at and provisional, as ``refresh_clock``; True if either changed."""
        deadline = calendar.deadline(self.started_at, unit=self.unit, length=self.length, pauses=self.spans)
        changed = self.due_at != deadline.due_at or self.provisional != deadline.provisional
        self.due_at, self.provisional = deadline.due_at, deadline.provisional
        return changed


def sync_clocks(
    case: Case,
    *,
    trigger: str | None,
    at: dt.datetime,
    calendar: WorkCalendar,
    existing: dict[str, CaseClock] | None = None,
) -> tuple[list[CaseClock], set[str]]:
    """Start clocks whose start event has happened, re-plan running ones, stop those whose end came.

    ``existing``: the case's clocks by code when the caller knows them (none, for a case registered in this
    transaction). Returns all the case's clocks and the codes of those started by this call."""
    times = trigger_times(case, trigger, at)
    if existing is None:
        existing = {
            c.code: c for c in CaseClock.objects.filter(case=case).prefetch_related("pauses", "extensions")
        }
    started: set[str] = set()
    terminal = case.status in TERMINAL_STATUSES
    for code, source in matching_clocks(case).items():
        clock = existing.get(code)
        if clock is None:
            start = times.get(source.start_trigger)
            if start is None or terminal:
                continue
            clock = CaseClock(case=case, code=code, started_at=start, due_at=start)
            _copy_policy(clock, source)
            refresh_clock(clock, calendar, at)
            clock.save()
            existing[code] = clock
            started.add(code)
        elif clock.running and clock.policy_clock_id != source.pk:
            # The case moved (e.g. routed to the petition channel): the more specific rule now applies.
            _copy_policy(clock, source)
            refresh_clock(clock, calendar, at)
            clock.save()
    for clock in existing.values():
        if not clock.running:
            continue
        stop = times.get(clock.stop_trigger) or (times.get(ClockTrigger.CLOSED) if terminal else None)
        if stop is not None and (stop >= clock.started_at or trigger == clock.stop_trigger):
            # (the stop event happening now stops the clock whatever the clocks of the two events say)
            clock.stopped_at = max(stop, clock.started_at)
            clock.stop_reason = clock.stop_trigger if times.get(clock.stop_trigger) else ClockTrigger.CLOSED
            if clock.paused_since:
                ClockPause.objects.filter(clock=clock, ended_at__isnull=True).update(ended_at=stop)
                clock.paused_since = None
            clock.save(update_fields=["stopped_at", "stop_reason", "paused_since"])
        elif clock.code not in started and refresh_clock(clock, calendar, at):
            # (a clock started above was planned just now, with this calendar, and has no pauses yet)
            clock.save(update_fields=["due_at", "provisional"])
    return list(existing.values()), started


def by_due(clock: ClockState) -> dt.datetime:
    return clock.due_at


class _Clock(Protocol):
    started_at: dt.datetime
    due_at: dt.datetime

    @property
    def running(self) -> bool: ...


C = TypeVar("C", bound=_Clock)


def headline_of(clocks: Iterable[C]) -> C | None:
    """The case's headline deadline: the running clock that governs its current stage.

    A case's clocks start one stage after another (the acceptance notice at registration, the handling or
    mediation period at acceptance, the judicial-confirmation window when an agreement takes effect) and a
    stage's clock stops when the next stage begins; so the clock started last is the current stage's. Of
    clocks started together the later due one governs (the stage's period, not a step inside it).
    ``Case.due_at`` (queues, API, receipt) and every page take it from here; ``None`` when none is running."""
    return max((c for c in clocks if c.running), key=lambda c: (c.started_at, c.due_at), default=None)


# --- what pages show ------------------------------------------------------------------------
def case_clocks(case: Case):
    """The case's clocks in the order its pages list them (by due time)."""
    return case.clocks.order_by("due_at", "pk")


@dataclass(frozen=True)
class CaseDeadlines:
    """A case's deadlines as everyone is shown them: the headline (``clocks.headline_of``, the same clock
    ``Case.due_at`` was taken from) and every running clock below it, with their extensions."""

    headline: CaseClock | None
    running: list[CaseClock]  # by due time, the headline among them
    now: dt.datetime
    all_clocks: list[CaseClock]  # running or stopped, for the extensions

    @property
    def others(self) -> list[CaseClock]:
        return [c for c in self.running if c is not self.headline]

    @property
    def days_left(self) -> int | None:
        """Whole local days from today to the headline's due day (0: due today; negative: overdue)."""
        if self.headline is None:
            return None
        return (local_date(self.headline.due_at) - local_date(self.now)).days

    @property
    def overdue(self) -> bool:
        return self.headline is not None and self.headline.due_at < self.now

    @property
    def extensions(self) -> list:
        """Every approved extension of the case's clocks (running or not), oldest first."""
        return sorted(
            (e for c in self.all_clocks for e in c.extensions.all()), key=lambda e: (e.approved_at, e.pk)
        )


def case_deadlines(
    case: Case,
    *,
    now: dt.datetime | None = None,
    citizen: bool = False,
    with_extensions: bool = True,
    clocks: list[CaseClock] | None = None,
) -> CaseDeadlines:
    """The headline deadline and the running clocks of ``case`` (two queries). ``citizen``: only the clocks a
    policy shows to the public; ``with_extensions=False`` (one query) for a page that does not list them.
    ``clocks``: the case's clocks as ``case_clocks`` orders them, already loaded by a page (no query; with
    their extensions prefetched where the page lists them)."""
    if clocks is None:
        clocks = case_clocks(case)
        clocks = list(clocks.prefetch_related("extensions") if with_extensions else clocks)
    running = [c for c in clocks if c.running]
    headline = headline_of(running)
    if citizen:
        running = [c for c in running if c.citizen_facing]
        clocks = [c for c in clocks if c.citizen_facing]
        if headline is not None and not headline.citizen_facing:
            headline = None
    return CaseDeadlines(headline=headline, running=running, now=now or timezone.now(), all_clocks=clocks)
