"""Warnings: clocks, levels, the escalation sweep, supervision orders and conferences.

The one hook other services call is ``on_case_changed``; the periodic task calls
``sweep_due_cases``. Both evaluate levels with the same function, ``evaluate``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from accounts.access import roles_of
from accounts.models import Membership, User
from cases.core import timeline
from cases.core.access import supervises
from cases.core.models import CalendarDay, CalendarYear, Case, TimelineEvent, WarningLevel
from cases.core.services import lock_case
from cases.core.states import OPEN_STATUSES, TERMINAL_STATUSES
from cases.core.workcalendar import (
    WorkCalendar,
    bump_reference_version,
    end_of_day,
    local_date,
    reference_data,
    start_of_day,
)
from cases.warnings.models import (
    CaseClock,
    CaseConference,
    ClockExtension,
    ClockPause,
    ClockTrigger,
    DeadlinePolicy,
    ManualRaise,
    Notification,
    PolicyClock,
    SupervisionOrder,
    WarningChange,
    WarningSetting,
)
from mediation_center.dialect import update_rows  # the sweep's bulk writer
from mediation_center.errors import DomainError, NotAllowed

log = logging.getLogger(__name__)
L = WarningLevel
Role = Membership.Role

LEVEL_CHANGED = timeline.EventType("warning_level_changed", _("预警等级变更"))
CLOCK_PAUSED = timeline.EventType("clock_paused", _("期限中止计算"), public=True)
CLOCK_RESUMED = timeline.EventType("clock_resumed", _("期限恢复计算"), public=True)
CLOCK_EXTENDED = timeline.EventType("clock_extended", _("办理期限延长"), public=True)
ORDER_ISSUED = timeline.EventType("supervision_issued", _("签发督办单"))
ORDER_ACKNOWLEDGED = timeline.EventType("supervision_acknowledged", _("督办单已签收"))
ORDER_REPORTED = timeline.EventType("supervision_reported", _("督办单已反馈"))
CONFERENCE_RECORDED = timeline.EventType("conference_recorded", _("会商研判"))
RISK_UPDATED = timeline.EventType("risk_updated", _("更新风险因素"))

# key -> (default, label). Administrators edit the values in the admin; 0 switches a threshold off.
SETTING_DEFAULTS: dict[str, tuple[int, str]] = {
    "time_yellow_percent": (80, "时限已用比例达到该百分比时为黄色"),
    "time_orange_working_days": (1, "距届满不足该工作日数时为橙色（0 为不启用）"),
    "response_days_red": (0, "红色预警响应期限（天，0 为当日）"),
    "response_days_orange": (1, "橙色预警响应期限（天）"),
    "response_days_yellow": (2, "黄色预警响应期限（天）"),
    "response_days_blue": (3, "蓝色预警响应期限（天）"),
    "risk_people_yellow": (3, "涉及人数达到该数为黄色"),
    "risk_people_orange": (10, "涉及人数达到该数为橙色"),
    "risk_people_red": (50, "涉及人数达到该数为红色"),
    "risk_amount_yellow": (50000, "涉及金额（元）达到该数为黄色"),
    "risk_amount_orange": (200000, "涉及金额（元）达到该数为橙色"),
    "risk_amount_red": (1000000, "涉及金额（元）达到该数为红色"),
    "risk_repeat_yellow": (1, "重复来访次数达到该数为黄色"),
    "risk_repeat_orange": (2, "重复来访次数达到该数为橙色"),
    "risk_repeat_red": (4, "重复来访次数达到该数为红色"),
    "risk_police_yellow": (1, "报警次数达到该数为黄色"),
    "risk_police_orange": (2, "报警次数达到该数为橙色"),
    "risk_police_red": (3, "报警次数达到该数为红色"),
    "risk_failed_yellow": (1, "调解不成次数达到该数为黄色"),
    "risk_failed_orange": (2, "调解不成次数达到该数为橙色"),
    "risk_failed_red": (3, "调解不成次数达到该数为红色"),
    "risk_flag_violence_level": (4, "有极端行为或暴力风险时的等级（1蓝 2黄 3橙 4红）"),
    "risk_flag_mass_incident_level": (4, "可能引发群体性事件时的等级（1蓝 2黄 3橙 4红）"),
    "risk_flag_upward_petition_level": (3, "可能越级上访时的等级（1蓝 2黄 3橙 4红）"),
    "supervision_ack_hours": (24, "督办单签发后须签收的小时数"),
    "supervision_unacknowledged_level": (3, "督办单逾期未签收时案件至少为该等级"),
    "supervision_overdue_level": (4, "督办单逾期未反馈时案件至少为该等级"),
    "notify_min_level": (2, "升级到该等级及以上时通知承办人和督办人"),
    "email_retry_minutes": (2, "邮件待发送超过该分钟数时由巡检补发"),
}

RESPONSE_KEYS = {
    L.RED: "response_days_red",
    L.ORANGE: "response_days_orange",
    L.YELLOW: "response_days_yellow",
    L.BLUE: "response_days_blue",
}


def _load_settings() -> dict[str, int]:
    values = {key: default for key, (default, _label) in SETTING_DEFAULTS.items()}
    values.update(dict(WarningSetting.objects.values_list("key", "value")))
    return values


def warning_settings() -> dict[str, int]:
    """The thresholds, defaults filled in; read through the reference-data cache (an edit applies at once)."""
    return dict(reference_data("settings", _load_settings))


def _reference_changed(sender, using=None, **kwargs) -> None:
    bump_reference_version(using or "default")


# Cache invalidation only: the calendar, thresholds and policies are cached as reference data.
for _model in (CalendarDay, CalendarYear, WarningSetting, DeadlinePolicy, PolicyClock):
    post_save.connect(_reference_changed, sender=_model, dispatch_uid=f"warnings-reference-{_model.__name__}")
    post_delete.connect(
        _reference_changed, sender=_model, dispatch_uid=f"warnings-reference-{_model.__name__}"
    )


# --- lead-completed inputs ------------------------------------------------------------------
def failed_sessions_by_case(case_ids: list[int]) -> dict[int, int]:
    """Mediation sessions per case that ended without agreement (one query for the whole batch)."""
    from cases.lifecycle.models import MediationSession, SessionOutcome

    rows = (
        MediationSession.objects.filter(case_id__in=case_ids, outcome=SessionOutcome.FAILED)
        .values("case_id")
        .annotate(n=Count("pk"))
    )
    return {row["case_id"]: row["n"] for row in rows}


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
    result: dict[int, list[User]] = {}
    for case in cases:
        users: dict[int, User] = {}
        for m in memberships:
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
        times[ClockTrigger.ACCEPTED] = case.accepted_at
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
        if stop is not None and stop >= clock.started_at:
            clock.stopped_at = stop
            clock.stop_reason = clock.stop_trigger if times.get(clock.stop_trigger) else ClockTrigger.CLOSED
            if clock.paused_since:
                ClockPause.objects.filter(clock=clock, ended_at__isnull=True).update(ended_at=stop)
                clock.paused_since = None
            clock.save(update_fields=["stopped_at", "stop_reason", "paused_since"])
        elif clock.code not in started and refresh_clock(clock, calendar, at):
            # (a clock started above was planned just now, with this calendar, and has no pauses yet)
            clock.save(update_fields=["due_at", "provisional"])
    return list(existing.values()), started


# --- levels ---------------------------------------------------------------------------------
@dataclass
class Evaluation:
    risk_level: int
    time_level: int
    level: int
    basis: str
    reason: str
    due_at: dt.datetime | None
    next_check_at: dt.datetime | None
    actor_id: int | None = None
    reasons: list[str] = field(default_factory=list)


def _threshold_level(value, values: dict, prefix: str) -> int:
    for level, suffix in ((L.RED, "red"), (L.ORANGE, "orange"), (L.YELLOW, "yellow")):
        threshold = values.get(f"{prefix}_{suffix}", 0)
        if threshold and value is not None and value >= threshold:
            return level
    return L.NONE


_texts: dict[tuple[str | None, str], str] = {}


def _text(msgid: str) -> str:
    """``gettext`` of one of the evaluation's fixed texts, kept per language: the sweep evaluates thousands
    of cases and a lookup through Django's translation machinery costs more than the rest of a level."""
    key = (get_language(), msgid)
    text = _texts.get(key)
    if text is None:
        text = _texts[key] = _t(msgid)
    return text


# The texts are looked up only for the factors that set the level (the sweep evaluates thousands of cases).
_RISK_BASELINE = N_("一般风险")
_RISK_COUNTS = (  # (case attribute, or None for failed sessions; setting prefix; text)
    ("people_count", "risk_people", N_("涉及人数 %(v)s 人")),
    ("amount", "risk_amount", N_("涉及金额 %(v)s 元")),
    ("repeat_count", "risk_repeat", N_("重复来访 %(v)s 次")),
    ("police_calls", "risk_police", N_("已报警 %(v)s 次")),
    (None, "risk_failed", N_("调解不成 %(v)s 次")),
)
_RISK_FLAGS = (
    ("risk_violence", "risk_flag_violence_level", N_("有极端行为或暴力风险")),
    ("risk_mass_incident", "risk_flag_mass_incident_level", N_("可能引发群体性事件")),
    ("risk_upward_petition", "risk_flag_upward_petition_level", N_("可能越级上访")),
)


def risk_level_of(case: Case, values: dict, failed_sessions: int = 0) -> tuple[int, list[str]]:
    """The risk level from administrator thresholds; every open case is at least blue (latent risk)."""
    found: list[tuple[int, str, object]] = [(L.BLUE, _RISK_BASELINE, None)]
    for attribute, prefix, text in _RISK_COUNTS:
        value = failed_sessions if attribute is None else getattr(case, attribute)
        level = _threshold_level(value, values, prefix)
        if level:
            found.append((level, text, value))
    for attribute, key, text in _RISK_FLAGS:
        if getattr(case, attribute):
            found.append((min(max(values.get(key, 0), 0), L.RED), text, None))
    top = max(level for level, _text, _value in found)
    return top, [
        _text(text) if value is None else _text(text) % {"v": value}
        for level, text, value in found
        if level == top
    ]


_TIME_REASONS = {
    L.RED: N_("“%(name)s”已逾期"),
    L.ORANGE: N_("“%(name)s”即将届满"),
    L.YELLOW: N_("“%(name)s”已用时 %(pct)s%%"),
    L.BLUE: N_("“%(name)s”正常计时"),
}


def time_level_of(
    clocks: list[ClockState], values: dict, calendar: WorkCalendar, now: dt.datetime
) -> tuple[int, str, dt.datetime | None, list[dt.datetime]]:
    """The level of the tightest running clock, the earliest due time, and the next moments to look again."""
    level, reason, due, checks = L.NONE, "", None, []
    pct = values.get("time_yellow_percent", 80)
    for clock in clocks:
        if not clock.running:
            continue
        paused = sum((end - start for start, end in clock.spans), dt.timedelta())
        total = clock.due_at - clock.started_at - paused
        elapsed = now - clock.started_at - paused
        yellow_at = clock.started_at + paused + total * (pct / 100) if pct else None
        orange_at = calendar.orange_from(
            clock.due_at, unit=clock.unit, working_days=values.get("time_orange_working_days", 0)
        )
        if clock.paused_since:
            clock_level = L.BLUE if not pct or elapsed < total * (pct / 100) else L.YELLOW
            # a paused day-clock's deadline moves every day: look again tomorrow
            checks.append(start_of_day(local_date(now) + dt.timedelta(days=1)))
        elif now > clock.due_at:
            clock_level = L.RED
        elif orange_at and now >= orange_at:
            clock_level = L.ORANGE
        elif yellow_at and now >= yellow_at:
            clock_level = L.YELLOW
        else:
            clock_level = L.BLUE
        checks += [t for t in (yellow_at, orange_at, clock.due_at) if t and t > now]
        if clock_level > level:
            level = clock_level
            reason = _text(_TIME_REASONS[clock_level]) % {
                "name": clock.name,
                "pct": int(elapsed / total * 100) if total else 100,
            }
        if due is None or clock.due_at < due:
            due = clock.due_at
    return level, reason, due, checks


def supervision_level_of(
    orders: list[SupervisionOrder], values: dict, now: dt.datetime
) -> tuple[int, str, list[dt.datetime]]:
    level, reason, checks = L.NONE, "", []
    ack_after = dt.timedelta(hours=values.get("supervision_ack_hours", 24))
    for order in orders:  # SupervisionOrder instances, or rows with state, deadline and created_at
        if order.state == SupervisionOrder.State.REPORTED:
            continue
        if order.deadline < now:
            if values["supervision_overdue_level"] > level:
                level, reason = values["supervision_overdue_level"], _t("督办单逾期未反馈")
        else:
            checks.append(order.deadline)
        if order.state == SupervisionOrder.State.ISSUED:
            ack_due = order.created_at + ack_after
            if ack_due < now:
                if values["supervision_unacknowledged_level"] > level:
                    level, reason = values["supervision_unacknowledged_level"], _t("督办单逾期未签收")
            else:
                checks.append(ack_due)
    return min(level, L.RED), reason, checks


def evaluate(
    case: Case,
    *,
    clocks: list[ClockState],
    orders: list[SupervisionOrder],
    raises: list[ManualRaise],
    failed_sessions: int,
    values: dict,
    calendar: WorkCalendar,
    now: dt.datetime,
) -> Evaluation:
    """The case's level: the highest of risk, time, supervision and any manual raise."""
    if not case.is_open:
        return Evaluation(L.NONE, L.NONE, L.NONE, "rule", _t("案件已办结"), None, None)
    risk, risk_reasons = risk_level_of(case, values, failed_sessions)
    time_level, time_reason, due, checks = time_level_of(clocks, values, calendar, now)
    sup_level, sup_reason, sup_checks = supervision_level_of(orders, values, now)
    manual = max(raises, key=lambda r: r.level, default=None)
    candidates = [
        (time_level, 1, "time", time_reason, None),
        (risk, 2, "risk", "；".join(risk_reasons), None),
        (sup_level, 3, "supervision", sup_reason, None),
    ]
    if manual:
        candidates.append((manual.level, 4, "manual", manual.reason, manual.actor_id))
    level, _order, basis, reason, actor_id = max(candidates, key=lambda c: (c[0], c[1]))
    future = [t for t in checks + sup_checks if t > now]
    return Evaluation(
        risk_level=risk,
        time_level=time_level,
        level=level,
        basis=basis,
        reason=reason,
        due_at=due,
        next_check_at=min(future) if future else None,
        actor_id=actor_id,
    )


def response_due(level: int, values: dict, now: dt.datetime) -> dt.datetime | None:
    key = RESPONSE_KEYS.get(level)
    if key is None:
        return None
    return end_of_day(local_date(now) + dt.timedelta(days=values[key]))


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


def _is_baseline(change: WarningChange) -> bool:
    """A case's first level (set as it is registered) and the clearing of the level as it ends belong to
    the registering or ending event: kept as change rows (and notified), not as timeline events of their own."""
    return change.from_level == L.NONE or change.to_level == L.NONE


def _notify_escalations(changes: list[WarningChange], values: dict) -> list[Notification]:
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
        title = _t("%(number)s 升级为%(level)s预警") % {
            "number": case.number,
            "level": WarningLevel(change.to_level).label,
        }
        body = _t("原因：%(reason)s。响应期限：%(due)s。") % {
            "reason": change.reason,
            "due": timezone.localtime(change.response_due_at).strftime("%Y-%m-%d %H:%M")
            if change.response_due_at
            else "—",
        }
        for user in recipients.get(case.pk, []):
            rows.append(_notification(user, case, "escalation", title, body))
    return create_notifications(rows)


def _notification(user: User, case: Case | None, kind: str, title: str, body: str) -> Notification:
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
    from cases.warnings.tasks import send_notification_email

    for pk in ids:
        try:
            send_notification_email.delay(pk)
        except Exception:  # broker outage: the outbox row is still pending, nothing is lost
            log.warning("broker unavailable; notification %s stays in the outbox", pk)
            return


# --- the hook -------------------------------------------------------------------------------
def on_case_changed(
    case: Case, *, trigger: str | None = None, actor: User | None = None, at: dt.datetime | None = None
) -> Case:
    """Start/stop the case's clocks for ``trigger`` and recompute its levels, in the caller's transaction."""
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
        states = sorted((ClockState.of(c, now, fresh=c.code in started) for c in clocks), key=_by_due)
        _recompute(case, actor=actor, now=now, calendar=calendar, clocks=states)
    return case


def _by_due(clock: ClockState) -> dt.datetime:
    return clock.due_at


def on_case_registered(case: Case, *, actor: User | None = None) -> Case:
    """``on_case_changed(case, trigger="registered")`` for a case created in the caller's transaction.

    Nothing of the case's own can exist yet (clocks, pauses, supervision orders, raises, sessions, level
    changes) and nobody else can see its row, so nothing is read back: its clocks are started and its
    first level recorded with the values in hand."""
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        calendar = WorkCalendar()
        clocks, _started = sync_clocks(case, trigger="registered", at=now, calendar=calendar, existing={})
        states = sorted((ClockState.of(c, now, fresh=True) for c in clocks), key=_by_due)
        _recompute(case, actor=actor, now=now, calendar=calendar, clocks=states, new_case=True)
    return case


def recompute_case(
    case: Case,
    *,
    actor: User | None = None,
    now: dt.datetime | None = None,
    calendar: WorkCalendar | None = None,
    basis: str | None = None,
) -> WarningChange | None:
    """Evaluate one (locked) case and save its level columns; records a change only if the level moved."""
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
    if not _is_baseline(change):
        event.save()
    _notify_escalations([change], values)
    return change


# --- the sweep ------------------------------------------------------------------------------
def sweep_due_cases(*, now: dt.datetime | None = None, batch_size: int = 500) -> int:
    """Re-evaluate every case whose next check is due, a batch at a time; returns level changes recorded.

    Each batch locks its rows with SKIP LOCKED, so two sweeps at once take different cases; the
    unique (case, seq) row is the second guard, and only rows this sweep inserted produce events.
    A case's next check is the next moment one of its levels can change (a clock's yellow, orange or
    due time, a supervision order's deadlines, tomorrow for a paused clock); other changes go through
    ``on_case_changed``.
    """
    now = now or timezone.now()
    total = 0
    calendar = WorkCalendar()
    values = warning_settings()
    seen: set[int] = set()
    while True:
        with transaction.atomic():
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

    @classmethod
    def _make(cls, row: tuple) -> _SweptCase:
        return cls(*row)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def levels(self) -> tuple:
        return tuple(getattr(self, name) for name in CASE_LEVEL_FIELDS)


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
]


def _sweep_inputs(ids: list[int], now: dt.datetime):
    """The batch's running clocks, open orders, raises and failed sessions as plain values (six queries)."""
    running = CaseClock.objects.filter(case_id__in=ids, stopped_at__isnull=True)
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
        SupervisionOrder.objects.filter(case_id__in=ids)
        .exclude(state=SupervisionOrder.State.REPORTED)
        .values_list("case_id", "state", "deadline", "created_at", named=True)
    ):
        orders.setdefault(row.case_id, []).append(row)
    raises: dict[int, list] = {}
    for row in ManualRaise.objects.filter(case_id__in=ids).values_list(
        "case_id", "level", "reason", "actor_id", named=True
    ):  # newest first (the model's order): the newest of the highest raises gives the reason
        raises.setdefault(row.case_id, []).append(row)
    return clocks, orders, raises, failed_sessions_by_case(ids)


def _sweep_batch(cases: list[_SweptCase], *, now: dt.datetime, calendar: WorkCalendar, values: dict) -> int:
    clocks, orders, raises, failed = _sweep_inputs([case.pk for case in cases], now)
    changed_clocks: list[ClockState] = []
    changed_cases: list[_SweptCase] = []
    moved: list[tuple[_SweptCase, int, Evaluation]] = []
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
    baseline = {c.case_id for c in recorded if _is_baseline(c)}
    TimelineEvent.objects.bulk_create([e for e in events if e.case_id in recorded_cases - baseline])
    _notify_escalations(recorded, values)
    return len(recorded)


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


def send_notification_email_now(notification_id: int) -> bool:
    """Send one pending e-mail, once; True if this call sent it."""
    from django.core.mail import send_mail

    with transaction.atomic():
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


# --- who may do what ------------------------------------------------------------------------
def _require_supervisor(user: User, case: Case) -> None:
    if not supervises(user, case.center):
        raise NotAllowed(_("只有本中心或上级中心的督办人员可以进行此操作。"))


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise DomainError(_("案件已办结，不能进行此操作。"))


# --- services -------------------------------------------------------------------------------
def raise_warning_level(case: Case, *, actor: User, level: int, reason: str) -> Case:
    """A supervisor raises the case's level by hand, with a reason."""
    with transaction.atomic():
        case = lock_case(case, "center")
        _require_supervisor(actor, case)
        _require_open(case)
        if level <= case.warning_level:
            raise DomainError(_("只能调高预警等级。"))
        ManualRaise.objects.create(case=case, level=level, reason=reason, actor=actor)
        recompute_case(case, actor=actor)
    return case


def update_risk_factors(case: Case, *, actor: User, **flags) -> Case:
    """Change the risk inputs of a case; the level is recomputed in the same transaction."""
    allowed = {"risk_violence", "risk_mass_incident", "risk_upward_petition", "police_calls", "people_count"}
    with transaction.atomic():
        case = lock_case(case, "center")
        _require_open(case)
        changed = {k: v for k, v in flags.items() if k in allowed and getattr(case, k) != v}
        for name, value in changed.items():
            setattr(case, name, value)
        case.save(update_fields=[*changed, "updated_at"])
        RISK_UPDATED.record(case, actor=actor, data={k: v for k, v in changed.items()})
        recompute_case(case, actor=actor)
    return case


def _lock_clock(clock: CaseClock) -> tuple[Case, CaseClock]:
    case = lock_case(clock.case, "center")
    clock = CaseClock.objects.select_for_update().get(pk=clock.pk)
    if not clock.running:
        raise DomainError(_("该期限已停止计算。"))
    return case, clock


def pause_clock(clock: CaseClock, *, actor: User, reason: str, at: dt.datetime | None = None) -> CaseClock:
    """Stop counting a clock (appraisal, hearing); the paused time is excluded from the deadline."""
    at = at or timezone.now()
    with transaction.atomic():
        case, clock = _lock_clock(clock)
        if not clock.pausable:
            raise DomainError(_("该期限不允许中止计算。"))
        if clock.paused_since:
            raise DomainError(_("该期限已在中止中。"))
        ClockPause.objects.create(clock=clock, started_at=at, reason=reason, actor=actor)
        clock.paused_since = at
        clock.save(update_fields=["paused_since"])
        CLOCK_PAUSED.record(case, actor=actor, data={"clock": clock.name, "reason": reason})
        recompute_case(case, actor=actor)
    return clock


def resume_clock(clock: CaseClock, *, actor: User, at: dt.datetime | None = None) -> CaseClock:
    at = at or timezone.now()
    with transaction.atomic():
        case, clock = _lock_clock(clock)
        if not clock.paused_since:
            raise DomainError(_("该期限未中止。"))
        ClockPause.objects.filter(clock=clock, ended_at__isnull=True).update(ended_at=at)
        clock.paused_since = None
        clock = CaseClock.objects.prefetch_related("pauses", "extensions").get(pk=clock.pk)
        clock.paused_since = None
        refresh_clock(clock, WorkCalendar(), at)
        clock.save(update_fields=["paused_since", "due_at", "provisional"])
        CLOCK_RESUMED.record(
            case, actor=actor, data={"clock": clock.name, "due_at": clock.due_at.isoformat()}
        )
        recompute_case(case, actor=actor)
    return clock


def extend_clock(clock: CaseClock, *, actor: User, length: int, reason: str) -> CaseClock:
    """A supervisor approves an extension; the reason is on the citizen's timeline."""
    with transaction.atomic():
        case, clock = _lock_clock(clock)
        _require_supervisor(actor, case)
        count = ClockExtension.objects.filter(clock=clock).count()
        if count >= clock.max_extensions:
            raise DomainError(_("该期限不能再延长。"))
        if length < 1 or length > clock.max_extension_length:
            raise DomainError(
                _("每次最多延长 %(n)s%(unit)s。")
                % {"n": clock.max_extension_length, "unit": clock.get_unit_display()}
            )
        ClockExtension.objects.create(clock=clock, length=length, reason=reason, approved_by=actor)
        clock = CaseClock.objects.prefetch_related("pauses", "extensions").get(pk=clock.pk)
        refresh_clock(clock, WorkCalendar(), timezone.now())
        clock.save(update_fields=["due_at", "provisional"])
        CLOCK_EXTENDED.record(
            case,
            actor=actor,
            data={
                "clock": clock.name,
                "length": length,
                "unit": clock.get_unit_display(),
                "reason": reason,
                "due_at": clock.due_at.isoformat(),
            },
        )
        recompute_case(case, actor=actor)
    return clock


def issue_supervision_order(
    case: Case,
    *,
    actor: User,
    instructions: str,
    deadline: dt.datetime,
    recipient: User | None = None,
    channel=None,
) -> SupervisionOrder:
    """A supervisor orders a case's mediator or channel to act by a deadline (督办)."""
    with transaction.atomic():
        case = lock_case(case, "center")
        _require_supervisor(actor, case)
        _require_open(case)
        if recipient is None and channel is None:
            raise DomainError(_("请指定承办人或承办渠道。"))
        if deadline <= timezone.now():
            raise DomainError(_("办理期限必须晚于现在。"))
        order = SupervisionOrder.objects.create(
            case=case,
            issued_by=actor,
            recipient=recipient,
            channel=channel,
            instructions=instructions,
            deadline=deadline,
        )
        ORDER_ISSUED.record(
            case,
            actor=actor,
            data={
                "order": order.pk,
                "recipient": str(recipient or channel),
                "deadline": deadline.isoformat(),
            },
        )
        targets = [recipient] if recipient else order_recipients(order)
        create_notifications(
            [
                _notification(
                    user,
                    case,
                    "supervision",
                    _t("督办单：%(number)s") % {"number": case.number},
                    _t("%(text)s（期限 %(due)s）")
                    % {"text": instructions, "due": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")},
                )
                for user in targets
            ]
        )
        recompute_case(case, actor=actor)
    return order


def order_recipients(order: SupervisionOrder) -> list[User]:
    if order.recipient_id:
        return [order.recipient]
    return [
        m.user
        for m in Membership.objects.filter(
            role=Role.MEDIATOR, center=order.case.center_id, channel=order.channel_id
        ).select_related("user")
    ]


def may_answer_order(user: User, order: SupervisionOrder) -> bool:
    if order.recipient_id:
        return order.recipient_id == user.pk
    return any(
        m.center_id == order.case.center_id and m.channel_id == order.channel_id
        for m in roles_of(user).memberships_for(Role.MEDIATOR)
    )


def _lock_order(order: SupervisionOrder, user: User) -> tuple[Case, SupervisionOrder]:
    case = lock_case(order.case, "center")
    order = SupervisionOrder.objects.select_for_update().select_related("case").get(pk=order.pk)
    if not may_answer_order(user, order):
        raise NotAllowed(_("只有督办单的承办人可以签收和反馈。"))
    return case, order


def acknowledge_supervision_order(order: SupervisionOrder, *, actor: User) -> SupervisionOrder:
    """The recipient signs for the order (签收)."""
    with transaction.atomic():
        case, order = _lock_order(order, actor)
        if order.state != SupervisionOrder.State.ISSUED:
            raise DomainError(_("该督办单已签收。"))
        order.state = SupervisionOrder.State.ACKNOWLEDGED
        order.acknowledged_at, order.acknowledged_by = timezone.now(), actor
        order.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
        ORDER_ACKNOWLEDGED.record(case, actor=actor, data={"order": order.pk})
        recompute_case(case, actor=actor)
    return order


def report_supervision_order(order: SupervisionOrder, *, actor: User, report: str) -> SupervisionOrder:
    """The recipient reports back what was done; this closes the order."""
    with transaction.atomic():
        case, order = _lock_order(order, actor)
        if order.state == SupervisionOrder.State.REPORTED:
            raise DomainError(_("该督办单已反馈。"))
        now = timezone.now()
        if order.state == SupervisionOrder.State.ISSUED:
            order.acknowledged_at, order.acknowledged_by = now, actor
        order.state = SupervisionOrder.State.REPORTED
        order.report, order.reported_at, order.reported_by = report, now, actor
        order.save(
            update_fields=[
                "state",
                "report",
                "reported_at",
                "reported_by",
                "acknowledged_at",
                "acknowledged_by",
            ]
        )
        ORDER_REPORTED.record(case, actor=actor, data={"order": order.pk, "on_time": now <= order.deadline})
        if order.issued_by_id:
            create_notifications(
                [
                    _notification(
                        order.issued_by,
                        case,
                        "supervision_report",
                        _t("督办单已反馈：%(number)s") % {"number": case.number},
                        report,
                    )
                ]
            )
        recompute_case(case, actor=actor)
    return order


def record_case_conference(
    case: Case, *, actor: User, held_at: dt.datetime, participants: str, decisions: str
) -> CaseConference:
    """Record a joint case conference (会商研判) with its participants and decisions."""
    with transaction.atomic():
        case = lock_case(case, "center")
        _require_supervisor(actor, case)
        conference = CaseConference.objects.create(
            case=case, held_at=held_at, participants=participants, decisions=decisions, recorded_by=actor
        )
        CONFERENCE_RECORDED.record(case, actor=actor, data={"conference": conference.pk})
    return conference


def mark_notifications_read(user: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


# --- seed -----------------------------------------------------------------------------------
# (code, name, basis, channel, dispute type, source, clocks)
# clock: (code, name, start, stop, length, unit, pausable, max_ext, max_ext_len)
POLICIES = [
    (
        "people-mediation",
        "人民调解（一般）",
        "人民调解工作若干规定第33条；人民调解法第33条",
        None,
        None,
        "",
        [
            ("handling", "调解期限", "accepted", "concluded", 30, "calendar_days", True, 1, 30),
            (
                "judicial-confirmation",
                "申请司法确认期限",
                "agreement_effective",
                "confirmation_applied",
                30,
                "calendar_days",
                False,
                0,
                0,
            ),
        ],
    ),
    (
        "petition",
        "信访事项",
        "信访工作条例第22、23、34条",
        "petition",
        None,
        "",
        [
            ("acceptance-notice", "告知是否受理", "registered", "accepted", 15, "calendar_days", False, 0, 0),
            ("handling", "信访事项办理", "accepted", "concluded", 60, "calendar_days", False, 1, 30),
        ],
    ),
    (
        "petition-system",
        "信访系统转入",
        "信访工作条例第22、23、34条",
        None,
        None,
        "petition_system",
        [
            ("acceptance-notice", "告知是否受理", "registered", "accepted", 15, "calendar_days", False, 0, 0),
            ("handling", "信访事项办理", "accepted", "concluded", 60, "calendar_days", False, 1, 30),
        ],
    ),
    (
        "labour",
        "劳动争议调解",
        "劳动争议调解仲裁法第14条",
        None,
        "labour",
        "",
        [("handling", "劳动争议调解期限", "accepted", "concluded", 15, "calendar_days", False, 0, 0)],
    ),
    (
        "medical",
        "医疗纠纷人民调解",
        "医疗纠纷预防和处理条例第38条（鉴定时间不计入）",
        None,
        "medical",
        "",
        [("handling", "医调委调解期限", "accepted", "concluded", 30, "working_days", True, 0, 0)],
    ),
    (
        "court-prefiling",
        "诉前调解",
        "人民法院在线调解规则第24条（鉴定时间不计入）",
        "court",
        None,
        "",
        [("handling", "诉前调解期限", "accepted", "concluded", 30, "calendar_days", True, 1, 30)],
    ),
]


def seed_calendar() -> None:
    """Copy the official schedule from chinesecalendar; administrator corrections are never overwritten."""
    import chinese_calendar
    from chinese_calendar.constants import holidays, workdays

    years = sorted({d.year for d in holidays})
    admin_dates = set(
        CalendarDay.objects.filter(source=CalendarDay.Source.ADMIN).values_list("date", flat=True)
    )
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    rows = []
    for table, is_workday in ((holidays, False), (workdays, True)):
        for day, holiday in table.items():
            if day in admin_dates or day in existing:
                continue
            label = getattr(holiday, "chinese", "") or str(holiday)
            rows.append(
                CalendarDay(
                    date=day,
                    is_workday=is_workday,
                    name=(label if not is_workday else f"{label}调休上班")[:40],
                    source=CalendarDay.Source.OFFICIAL,
                )
            )
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    version = getattr(chinese_calendar, "__version__", "")
    for year in years:
        CalendarYear.objects.get_or_create(
            year=year, defaults={"source": f"chinesecalendar {version}".strip()}
        )


def seed_policies() -> None:
    from cases.core.models import DisputeType
    from routing.models import Channel

    for code, name, basis, channel, dispute_type, source, clocks in POLICIES:
        policy, created = DeadlinePolicy.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "legal_basis": basis,
                "channel": Channel.objects.filter(code=channel).first() if channel else None,
                "dispute_type": DisputeType.objects.filter(code=dispute_type).first()
                if dispute_type
                else None,
                "source": source,
            },
        )
        if not created:
            continue
        for ccode, cname, start, stop, length, unit, pausable, max_ext, max_len in clocks:
            PolicyClock.objects.create(
                policy=policy,
                code=ccode,
                name=cname,
                start_trigger=start,
                stop_trigger=stop,
                length=length,
                unit=unit,
                pausable=pausable,
                max_extensions=max_ext,
                max_extension_length=max_len,
            )


def seed_settings() -> None:
    for key, (default, label) in SETTING_DEFAULTS.items():
        WarningSetting.objects.get_or_create(key=key, defaults={"value": default, "label": label})


def seed_sweep_schedule(every_seconds: int | None = None) -> None:
    """The django-celery-beat entry that runs the sweep (every minute by default)."""
    from django.conf import settings
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every = every_seconds or settings.WARNING_SWEEP_INTERVAL_SECONDS
    schedule, _created = IntervalSchedule.objects.get_or_create(every=every, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.update_or_create(
        name="warnings.sweep",
        defaults={"task": "cases.tasks.sweep_warnings", "interval": schedule, "enabled": True},
    )


def seed_warnings() -> None:
    """Reference data for warnings: calendar, legal deadline policies, thresholds, the sweep schedule."""
    seed_calendar()
    seed_policies()
    seed_settings()
    seed_sweep_schedule()
    bump_reference_version()  # the calendar's rows went in with bulk_create, which sends no signals


def build_demo_warnings(org: dict) -> None:
    """Demo: a supervision order and a conference on the most serious demo case, then one sweep."""
    users = org["users"]
    supervisor, mediator = users.get("supervisor"), users.get("mediator")
    county = org["centers"]["county"]
    case = Case.objects.filter(center=county).order_by("-warning_level", "pk").first()
    if case is None or supervisor is None:
        return
    issue_supervision_order(
        case,
        actor=supervisor,
        recipient=mediator,
        channel=case.channel,
        instructions=_t("涉及人数多、金额大，请三日内约谈企业负责人并反馈。"),
        deadline=timezone.now() + dt.timedelta(days=3),
    )
    record_case_conference(
        case,
        actor=supervisor,
        held_at=timezone.now(),
        participants=_t("人社局、属地镇街、派出所、调解员"),
        decisions=_t("由人社局牵头核实欠薪数额，属地镇街做好稳控。"),
    )
    sweep_due_cases()
