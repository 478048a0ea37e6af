"""Writes of 研判预警: the detection run's upsert and the supervisor's work on a signal.

Each service is atomic and writes exactly one event on the signal's timeline (risk/events.py) with its actor;
the detection run writes one event per signal it raises, changes or sees subside, and none when nothing changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Center, User
from cases.core.models import Case
from cases.warnings.services import record_case_conference
from mediation_center.errors import DomainError, IllegalTransition
from mediation_center.transactions import entry_point
from risk import access, events, precursors
from risk.detection import Detection, Finding, _center_paths, detect
from risk.models import (
    CellSnapshot,
    DetectionRun,
    FollowUpTask,
    PrecursorSnapshot,
    RespondentSnapshot,
    RiskSignal,
    SignalCase,
    SignalConference,
    explain,
    title_of,
)

State = RiskSignal.State


@dataclass
class RunSummary:
    raised: int = 0
    updated: int = 0
    subsided: int = 0
    unchanged: int = 0
    cells: int = 0


def _describe(signal: RiskSignal) -> None:
    with translation.override("zh-hans"):  # stored in the source language; pages explain() in theirs
        signal.title = title_of(signal)[:200]
        signal.reason = explain(signal)


def _apply(signal: RiskSignal, finding: Finding) -> None:
    signal.level = finding.level
    signal.count_7 = finding.count_7
    signal.count_30 = finding.count_30
    signal.open_count = finding.open_count
    signal.baseline_weekly = finding.baseline_weekly
    signal.center_id = finding.center_id
    signal.active = True
    if finding.respondent_name:
        signal.respondent_name = finding.respondent_name
    _describe(signal)


FIGURES = ("level", "count_7", "count_30", "open_count", "baseline_weekly", "center_id", "active")


@entry_point
def detect_risks(*, now: dt.datetime | None = None) -> RunSummary:
    """The nightly (and on-demand) run: raise, update or mark subsided; one open signal per key."""
    now = now or timezone.now()
    run = DetectionRun.objects.select_for_update().filter(pk=1).first()  # concurrent runs take turns here
    if run is None:  # a database migrated before the row was seeded
        run = DetectionRun.objects.create(pk=1)
    run.started_at = timezone.now()
    found: Detection = detect(now)
    summary = RunSummary(cells=len(found.cells))
    open_signals = {
        s.key: s
        for s in RiskSignal.objects.select_for_update(of=("self",))
        .exclude(state=State.CLOSED)
        .select_related("center", "dispute_type")
    }
    centers = Center.objects.in_bulk({f.center_id for f in found.findings})
    linked = set(
        SignalCase.objects.filter(signal__in=list(open_signals.values())).values_list("signal_id", "case_id")
    )
    seen_keys = set()
    for finding in found.findings:
        seen_keys.add(finding.key)
        signal = open_signals.get(finding.key)
        if signal is None:
            signal = RiskSignal(
                key=finding.key,
                kind=finding.kind,
                dispute_type_id=finding.dispute_type_id,
                first_detected_at=now,
                last_detected_at=now,
            )
            signal.center = centers[finding.center_id]
            _apply(signal, finding)
            signal.save()
            SignalCase.objects.bulk_create([SignalCase(signal=signal, case_id=pk) for pk in finding.case_ids])
            events.RAISED.record(
                signal, data={"reason": signal.reason, "level": signal.level, "cases": len(finding.case_ids)}
            )
            summary.raised += 1
            continue
        before = {name: getattr(signal, name) for name in FIGURES}
        new_cases = [pk for pk in finding.case_ids if (signal.pk, pk) not in linked]
        signal.center = centers[finding.center_id]
        _apply(signal, finding)
        after = {name: getattr(signal, name) for name in FIGURES}
        if before == after and not new_cases:
            summary.unchanged += 1
            continue
        signal.last_detected_at = now
        signal.save(update_fields=[*FIGURES, "title", "reason", "respondent_name", "last_detected_at"])
        SignalCase.objects.bulk_create([SignalCase(signal=signal, case_id=pk) for pk in new_cases])
        events.UPDATED.record(
            signal,
            data={
                "reason": signal.reason,
                "from_level": before["level"],
                "level": signal.level,
                "new_cases": len(new_cases),
            },
        )
        summary.updated += 1
    for key, signal in open_signals.items():
        if key in seen_keys or not signal.active:
            continue
        signal.active = False
        signal.last_detected_at = now
        signal.save(update_fields=["active", "last_detected_at"])
        events.SUBSIDED.record(signal, data={"reason": str(_("本次检测条件已不成立，信号保留待办结"))})
        summary.subsided += 1
    # The heat grid's and trend lines' figures: derived data, replaced as a whole by each run.
    CellSnapshot.objects.all().delete()
    CellSnapshot.objects.bulk_create(
        [
            CellSnapshot(
                center_id=town,
                dispute_type_id=type_id,
                weekly=weekly,
                count_7=fig.k7,
                count_30=fig.k30,
                baseline_weekly=round(fig.lam, 3),
                rise=round(fig.rise, 3),
                computed_at=now,
            )
            for (town, type_id), (weekly, fig) in found.cells.items()
        ],
        batch_size=2000,
    )
    RespondentSnapshot.objects.all().delete()
    RespondentSnapshot.objects.bulk_create(
        [
            RespondentSnapshot(
                key=r["key"][:200],
                name=r["name"][:100],
                open_count=r["open_count"],
                center_id=r["center_id"],
                case_ids=r["case_ids"],
                computed_at=now,
            )
            for r in found.respondents
            if r["center_id"]
        ],
        batch_size=2000,
    )
    # The group-incident precursors of every subtree, read by the page as one row (risk/precursors.py).
    PrecursorSnapshot.objects.all().delete()
    PrecursorSnapshot.objects.bulk_create(
        [
            PrecursorSnapshot(
                root=str(root), places=places, people=people, days=precursors.DAYS, computed_at=now
            )
            for root, (places, people) in precursors.snapshots(now, _center_paths()).items()
        ],
        batch_size=2000,
    )
    run.finished_at = timezone.now()
    run.summary = summary.__dict__
    run.save()
    return summary


# --- the supervisor's work -----------------------------------------------------------------------
def _lock(signal: RiskSignal | int, actor: User) -> RiskSignal:
    pk = getattr(signal, "pk", signal)
    locked = (
        RiskSignal.objects.select_for_update(of=("self",)).select_related("center", "dispute_type").get(pk=pk)
    )
    access.require_write(actor, locked)
    return locked


def _require_open(signal: RiskSignal) -> None:
    if signal.state == State.CLOSED:
        raise IllegalTransition(_("该风险信号已办结。"))


@entry_point
def acknowledge_signal(signal: RiskSignal, *, actor: User) -> RiskSignal:
    """签收: the supervisor has seen the signal."""
    signal = _lock(signal, actor)
    if signal.state != State.OPEN:
        raise IllegalTransition(_("该风险信号已签收。"))
    signal.state = State.ACKNOWLEDGED
    signal.acknowledged_at = timezone.now()
    signal.save(update_fields=["state", "acknowledged_at"])
    events.ACKNOWLEDGED.record(signal, actor=actor)
    return signal


@entry_point
def assign_signal(signal: RiskSignal, *, actor: User, assignee: User, note: str = "") -> RiskSignal:
    """指派: who works the signal (a staff member of the signal's center or above/below it)."""
    signal = _lock(signal, actor)
    _require_open(signal)
    if not access.may_be_assigned(assignee, signal):
        raise DomainError(_("承办人须是该信号所属中心或其上下级中心的工作人员。"), code="bad_assignee")
    signal.assignee = assignee
    if signal.state == State.OPEN:
        signal.state = State.ACKNOWLEDGED
        signal.acknowledged_at = timezone.now()
    signal.save(update_fields=["assignee", "state", "acknowledged_at"])
    events.ASSIGNED.record(
        signal, actor=actor, data={"assignee": assignee.pk, "name": str(assignee), "note": note}
    )
    return signal


@dataclass
class TaskData:
    title: str
    owner: User
    due_at: dt.datetime


@entry_point
def link_conference(
    signal: RiskSignal,
    *,
    actor: User,
    case: Case,
    held_at: dt.datetime,
    participants: str,
    decisions: str,
    tasks: list[TaskData] | None = None,
) -> SignalConference:
    """会商研判 on the signal: recorded as the case conference of one of its cases, with follow-up tasks."""
    signal = _lock(signal, actor)
    _require_open(signal)
    if not SignalCase.objects.filter(signal=signal, case=case).exists():
        raise DomainError(_("会商所依托的案件须是该信号所列案件之一。"), code="case_not_in_signal")
    for task in tasks or []:
        if task.due_at <= timezone.now():
            raise DomainError(_("后续任务的完成期限须晚于现在。"), code="task_due_past")
    conference = record_case_conference.step(
        case, actor=actor, held_at=held_at, participants=participants, decisions=decisions
    )
    link = SignalConference.objects.create(signal=signal, conference=conference)
    made = FollowUpTask.objects.bulk_create(
        [
            FollowUpTask(signal=signal, conference=link, title=t.title[:200], owner=t.owner, due_at=t.due_at)
            for t in tasks or []
        ]
    )
    signal.state = State.CONFERENCED
    signal.acknowledged_at = signal.acknowledged_at or timezone.now()
    signal.save(update_fields=["state", "acknowledged_at"])
    events.CONFERENCE_LINKED.record(
        signal,
        actor=actor,
        data={
            "conference": conference.pk,
            "case": case.number,
            "participants": participants,
            "decisions": decisions,
            "tasks": [
                {"title": t.title, "owner": str(t.owner), "due_at": t.due_at.isoformat()} for t in made
            ],
        },
    )
    return link


@entry_point
def add_follow_up_task(signal: RiskSignal, *, actor: User, task: TaskData) -> FollowUpTask:
    """A further follow-up task with its owner and deadline."""
    signal = _lock(signal, actor)
    _require_open(signal)
    if task.due_at <= timezone.now():
        raise DomainError(_("后续任务的完成期限须晚于现在。"), code="task_due_past")
    made = FollowUpTask.objects.create(
        signal=signal, title=task.title[:200], owner=task.owner, due_at=task.due_at
    )
    events.TASK_ADDED.record(
        signal, actor=actor, data={"task": made.pk, "title": made.title, "owner": str(made.owner)}
    )
    return made


@entry_point
def complete_follow_up_task(task: FollowUpTask, *, actor: User, result: str) -> FollowUpTask:
    """The task's owner (or a supervisor) records what was done."""
    task = (
        FollowUpTask.objects.select_for_update(of=("self",)).select_related("signal__center").get(pk=task.pk)
    )
    if task.owner_id != actor.pk:
        access.require_write(actor, task.signal)
    if task.done_at:
        raise IllegalTransition(_("该任务已完成。"))
    task.done_at = timezone.now()
    task.result = result
    task.save(update_fields=["done_at", "result"])
    events.TASK_DONE.record(
        task.signal, actor=actor, data={"task": task.pk, "title": task.title, "result": result}
    )
    return task


@entry_point
def close_signal(signal: RiskSignal, *, actor: User, conclusion: str) -> RiskSignal:
    """办结 with a conclusion; a later run that finds the same rise raises a new signal."""
    signal = _lock(signal, actor)
    _require_open(signal)
    if not conclusion.strip():
        raise DomainError(_("请填写研判结论。"), code="conclusion_required")
    signal.state = State.CLOSED
    signal.conclusion = conclusion.strip()
    signal.closed_at = timezone.now()
    signal.save(update_fields=["state", "conclusion", "closed_at"])
    events.CLOSED.record(signal, actor=actor, data={"conclusion": signal.conclusion})
    return signal
