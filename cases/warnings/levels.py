"""Pure level evaluation: from a case's facts, clocks and thresholds to its warning level (no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_noop as N_

from cases.core.models import Case, WarningLevel
from cases.core.workcalendar import (
    WorkCalendar,
    end_of_day,
    local_date,
    start_of_day,
)
from cases.warnings.clocks import ClockState, headline_of
from cases.warnings.models import (
    ManualRaise,
    SupervisionOrder,
)
from cases.warnings.thresholds import RESPONSE_KEYS

L = WarningLevel


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


_texts: dict[tuple[str | None, str], str] = {}  # translated reasons, by (language, msgid)


def _threshold_level(value, values: dict, keys: tuple[tuple[int, str], ...]) -> int:
    """The highest level whose threshold ``value`` reaches; ``keys`` are (level, setting key), highest first."""
    if value is None:
        return L.NONE
    for level, key in keys:
        threshold = values.get(key, 0)
        if threshold and value >= threshold:
            return level
    return L.NONE


def _text(msgid: str, language: str | None = None) -> str:
    """``gettext`` of one of the evaluation's fixed texts, kept per language: the sweep evaluates thousands
    of cases and a lookup through Django's translation machinery costs more than the rest of a level
    (``language``: the active language when the caller knows it — ``get_language()`` itself costs as much)."""
    key = (language or get_language(), msgid)
    text = _texts.get(key)
    if text is None:
        text = _texts[key] = _t(msgid)
    return text


# The texts are looked up only for the factors that set the level (the sweep evaluates thousands of cases).
_RISK_BASELINE = N_("一般风险")
_CLOSED = N_("案件已办结")


def _threshold_keys(prefix: str) -> tuple[tuple[int, str], ...]:
    return tuple(
        (level, f"{prefix}_{suffix}")
        for level, suffix in ((L.RED, "red"), (L.ORANGE, "orange"), (L.YELLOW, "yellow"))
    )


_RISK_COUNTS = (
    tuple(  # (case attribute, or None for failed sessions; threshold settings, highest first; text)
        (attribute, _threshold_keys(prefix), text)
        for attribute, prefix, text in (
            ("people_count", "risk_people", N_("涉及人数 %(v)s 人")),
            ("amount", "risk_amount", N_("涉及金额 %(v)s 元")),
            ("repeat_count", "risk_repeat", N_("重复来访 %(v)s 次")),
            ("police_calls", "risk_police", N_("已报警 %(v)s 次")),
            (None, "risk_failed", N_("调解不成 %(v)s 次")),
        )
    )
)


_RISK_FLAGS = (
    ("risk_violence", "risk_flag_violence_level", N_("有极端行为或暴力风险")),
    ("risk_mass_incident", "risk_flag_mass_incident_level", N_("可能引发群体性事件")),
    ("risk_upward_petition", "risk_flag_upward_petition_level", N_("可能越级上访")),
)


def risk_level_of(
    case: Case, values: dict, failed_sessions: int = 0, *, language: str | None = None
) -> tuple[int, list[str]]:
    """The risk level from administrator thresholds; every open case is at least blue (latent risk).

    The reasons are those of every factor at the top level, in the factors' order (the latent risk first)."""
    top, found = L.BLUE, [(_RISK_BASELINE, None)]
    for attribute, keys, text in _RISK_COUNTS:
        value = failed_sessions if attribute is None else getattr(case, attribute)
        level = _threshold_level(value, values, keys)
        if level > top:
            top, found = level, [(text, value)]
        elif level and level == top:
            found.append((text, value))
    for attribute, key, text in _RISK_FLAGS:
        if getattr(case, attribute):
            level = min(max(values.get(key, 0), 0), L.RED)
            if level > top:
                top, found = level, [(text, None)]
            elif level and level == top:
                found.append((text, None))
    return top, [
        _text(text, language) if value is None else _text(text, language) % {"v": value}
        for text, value in found
    ]


_TIME_REASONS = {
    L.RED: N_("“%(name)s”已逾期"),
    L.ORANGE: N_("“%(name)s”即将届满"),
    L.YELLOW: N_("“%(name)s”已用时 %(pct)s%%"),
    L.BLUE: N_("“%(name)s”正常计时"),
}


def time_level_of(
    clocks: list[ClockState],
    values: dict,
    calendar: WorkCalendar,
    now: dt.datetime,
    *,
    language: str | None = None,
) -> tuple[int, str, dt.datetime | None, list[dt.datetime]]:
    """The level of the tightest running clock, the headline deadline (``headline_of``) and the next moments
    to look again."""
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
            reason = _text(_TIME_REASONS[clock_level], language) % {
                "name": clock.name,
                "pct": int(elapsed / total * 100) if total else 100,
            }
    headline = headline_of(clocks)
    due = headline.due_at if headline else None
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
    language: str | None = None,
) -> Evaluation:
    """The case's level: the highest of risk, time, supervision and any manual raise.

    ``language``: the active language, when the caller evaluates many cases (``get_language()`` once)."""
    language = language or get_language()
    if not case.is_open:
        return Evaluation(L.NONE, L.NONE, L.NONE, "rule", _text(_CLOSED, language), None, None)
    risk, risk_reasons = risk_level_of(case, values, failed_sessions, language=language)
    time_level, time_reason, due, checks = time_level_of(clocks, values, calendar, now, language=language)
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
