"""User-facing warning services: raise a level, risk factors, pause/resume/extend a clock, supervision orders, conferences."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User
from cases.core.access import supervises
from cases.core.events import (
    CLOCK_EXTENDED,
    CLOCK_PAUSED,
    CLOCK_RESUMED,
    CONFERENCE_RECORDED,
    ORDER_ACKNOWLEDGED,
    ORDER_ISSUED,
    ORDER_REPORTED,
    RISK_UPDATED,
)
from cases.core.models import Case
from cases.core.services import lock_case
from cases.core.workcalendar import (
    WorkCalendar,
)
from cases.warnings.clocks import refresh_clock
from cases.warnings.models import (
    CaseClock,
    CaseConference,
    ClockExtension,
    ClockPause,
    ManualRaise,
    SupervisionOrder,
)
from cases.warnings.notifications import create_notifications, new_notification
from cases.warnings.selectors import may_answer_order
from cases.warnings.sweep import recompute_case
from mediation_center.errors import DomainError, NotAllowed
from mediation_center.transactions import entry_point

Role = Membership.Role


# --- who may do what ------------------------------------------------------------------------
def _require_supervisor(user: User, case: Case) -> None:
    if not supervises(user, case.center):
        raise NotAllowed(_("只有本中心或上级中心的督办人员可以进行此操作。"))


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise DomainError(_("案件已办结，不能进行此操作。"))


# --- services -------------------------------------------------------------------------------
@entry_point
def raise_warning_level(case: Case, *, actor: User, level: int, reason: str) -> Case:
    """A supervisor raises the case's level by hand, with a reason."""
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


@entry_point
def pause_clock(clock: CaseClock, *, actor: User, reason: str, at: dt.datetime | None = None) -> CaseClock:
    """Stop counting a clock (appraisal, hearing); the paused time is excluded from the deadline."""
    at = at or timezone.now()
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


@entry_point
def resume_clock(clock: CaseClock, *, actor: User, at: dt.datetime | None = None) -> CaseClock:
    at = at or timezone.now()
    case, clock = _lock_clock(clock)
    if not clock.paused_since:
        raise DomainError(_("该期限未中止。"))
    ClockPause.objects.filter(clock=clock, ended_at__isnull=True).update(ended_at=at)
    clock.paused_since = None
    clock = CaseClock.objects.prefetch_related("pauses", "extensions").get(pk=clock.pk)
    clock.paused_since = None
    refresh_clock(clock, WorkCalendar(), at)
    clock.save(update_fields=["paused_since", "due_at", "provisional"])
    CLOCK_RESUMED.record(case, actor=actor, data={"clock": clock.name, "due_at": clock.due_at.isoformat()})
    recompute_case(case, actor=actor)
    return clock


@entry_point
def extend_clock(clock: CaseClock, *, actor: User, length: int, reason: str) -> CaseClock:
    """A supervisor approves an extension; the reason is on the citizen's timeline."""
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


@entry_point
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
            new_notification(
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


def _lock_order(order: SupervisionOrder, user: User) -> tuple[Case, SupervisionOrder]:
    case = lock_case(order.case, "center")
    order = SupervisionOrder.objects.select_for_update().select_related("case").get(pk=order.pk)
    if not may_answer_order(user, order):
        raise NotAllowed(_("只有督办单的承办人可以签收和反馈。"))
    return case, order


@entry_point
def acknowledge_supervision_order(order: SupervisionOrder, *, actor: User) -> SupervisionOrder:
    """The recipient signs for the order (签收)."""
    case, order = _lock_order(order, actor)
    if order.state != SupervisionOrder.State.ISSUED:
        raise DomainError(_("该督办单已签收。"))
    order.state = SupervisionOrder.State.ACKNOWLEDGED
    order.acknowledged_at, order.acknowledged_by = timezone.now(), actor
    order.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
    ORDER_ACKNOWLEDGED.record(case, actor=actor, data={"order": order.pk})
    recompute_case(case, actor=actor)
    return order


@entry_point
def report_supervision_order(order: SupervisionOrder, *, actor: User, report: str) -> SupervisionOrder:
    """The recipient reports back what was done; this closes the order."""
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
                new_notification(
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


@entry_point
def record_case_conference(
    case: Case, *, actor: User, held_at: dt.datetime, participants: str, decisions: str
) -> CaseConference:
    """Record a joint case conference (会商研判) with its participants and decisions."""
    case = lock_case(case, "center")
    _require_supervisor(actor, case)
    conference = CaseConference.objects.create(
        case=case, held_at=held_at, participants=participants, decisions=decisions, recorded_by=actor
    )
    CONFERENCE_RECORDED.record(case, actor=actor, data={"conference": conference.pk})
    return conference
