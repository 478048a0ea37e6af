"""Writes of routing: route, claim, assign, recuse, transfer, summon, grant. One timeline event each."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import Center, Department, Membership, User
from cases.core.access import can_see, supervises
from cases.core.models import Case
from cases.core.services import lock_case
from cases.core.states import OPEN_STATUSES, QUEUE_STATUSES, Status, move
from cases.warnings import sweep as warnings_sweep
from mediation_center.errors import IllegalTransition, NotAllowed
from mediation_center.transactions import entry_point

from . import events
from .access import answers_summons, may_claim
from .errors import AlreadyClaimed, MediatorConflict, RoutingError, StaleAssignment
from .models import CaseAssignment, Channel, InterestDeclaration, RouteDecision, Summons
from .rules import suggest_route
from .selectors import allowed_route_centers

Role = Membership.Role


def _name(user: User | None) -> str:
    return str(user) if user else _("系统")


def routed_event_data(
    suggestion,
    *,
    channel,
    center,
    from_center,
    overridden: bool,
    departments: list[str],
    priority,
    reason: str,
) -> dict:
    """The 分流 event's data (what the timeline, the outbound events and the reports read): one shape for
    ``route_case`` and for the quick record, which routes a case to its own center in one call."""
    rule = suggestion.rule
    return {
        "channel": channel.code,
        "channel_name": channel.name,
        "center_id": center.pk,
        "center_name": center.name,
        "from_center_id": from_center.pk,
        "rule_id": rule.pk if rule else None,
        "rule_name": rule.name if rule else "",
        "explanation": suggestion.explanation,
        "overridden": overridden,
        "suggested_channel": suggestion.channel.code,
        "suggested_center_id": suggestion.center.pk,
        "departments": departments,
        "priority": priority,
        "reason": reason if overridden else suggestion.explanation,
    }


@entry_point
def route_case(
    case: Case,
    *,
    actor: User,
    channel: Channel | None = None,
    center: Center | None = None,
    departments: list[Department] | None = None,
    priority: int | None = None,
    override_reason: str = "",
) -> Case:
    """Route a registered case: accept the suggested route, or override it with a reason."""
    case = lock_case(case)
    if case.status != Status.REGISTERED:
        raise IllegalTransition(_("只有已受理、尚未分流的案件可以分流。"))
    suggestion = suggest_route(case)
    chosen_channel = channel or suggestion.channel
    chosen_center = center or suggestion.center
    chosen_departments = suggestion.departments if departments is None else list(departments)
    chosen_priority = suggestion.priority if priority is None else priority
    overridden = (
        chosen_channel.pk != suggestion.channel.pk
        or chosen_center.pk != suggestion.center.pk
        or {d.pk for d in chosen_departments} != {d.pk for d in suggestion.departments}
        or chosen_priority != suggestion.priority
    )
    override_reason = override_reason.strip()
    if overridden and not override_reason:
        raise RoutingError(_("调整建议的分流方案时必须填写理由。"))
    if chosen_center.pk not in {c.pk for c in allowed_route_centers(case)}:
        raise RoutingError(_("只能分流到本中心、上级中心或直属下级中心。"))
    from_center = case.center
    case.channel = chosen_channel
    case.center = chosen_center
    case.priority = chosen_priority
    move(case, Status.ROUTED, extra_fields=("channel", "center", "priority"))
    rule = suggestion.rule
    RouteDecision.objects.create(
        case=case,
        rule=rule,
        rule_name=rule.name if rule else "",
        explanation=suggestion.explanation,
        suggested_channel=suggestion.channel,
        suggested_center=suggestion.center,
        channel=chosen_channel,
        center=chosen_center,
        priority=chosen_priority,
        overridden=overridden,
        override_reason=override_reason if overridden else "",
        decided_by=actor,
    )
    events.ROUTED.record(
        case,
        actor=actor,
        data=routed_event_data(
            suggestion,
            channel=chosen_channel,
            center=chosen_center,
            from_center=from_center,
            overridden=overridden,
            departments=[d.name for d in chosen_departments],
            priority=chosen_priority,
            reason=override_reason,
        ),
    )
    warnings_sweep.on_case_changed(case, actor=actor)  # the channel decides which deadline policy applies
    if chosen_departments:
        summon_departments.step(  # in this routing's transaction
            case,
            actor=actor,
            departments=chosen_departments,
            deadline=timezone.now() + timedelta(hours=suggestion.summons_hours),
            note=_("分流时吹哨"),
        )
    if chosen_channel.auto_assign:
        auto_assign_case(case)
    return case


# --- Assignment -------------------------------------------------------------------


def conflict_reason(case: Case, user: User) -> str | None:
    """Why ``user`` must recuse from ``case`` (a party, or a declared interest), or None."""
    if InterestDeclaration.objects.filter(case=case, user=user).exists():
        return _("已登记与本案有利害关系")
    party_q = Q(has_interest_user=user)
    if user.id_number:
        party_q |= Q(id_number__iexact=user.id_number)
    if case.parties.filter(party_q).exists():
        return _("本人是本案当事人")
    return None


def _check_conflict(case: Case, user: User) -> None:
    reason = conflict_reason(case, user)
    if reason:
        raise MediatorConflict(
            _("%(name)s须回避（%(reason)s），不能承办本案。") % {"name": user, "reason": reason}
        )


# assign_mediator's seen_lead when the caller saw no form (the API, the demo): no check.
ANY_LEAD = object()


def _active_lead(case: Case) -> CaseAssignment | None:
    return CaseAssignment.objects.filter(case=case, is_lead=True, ended_at__isnull=True).first()


def _start_mediation(case: Case) -> None:
    if case.status == Status.ROUTED:
        move(case, Status.IN_MEDIATION)


@entry_point
def claim_case(case: Case, *, actor: User) -> CaseAssignment:
    """A mediator takes an unclaimed case from their channel's queue; of two at once exactly one wins."""
    case = lock_case(case)  # claims of one case queue up here, so the check below sees the winner
    if not may_claim(actor, case):
        raise NotAllowed(_("只有本中心该渠道的调解员可以认领此案件。"))
    if case.status not in QUEUE_STATUSES:
        raise IllegalTransition(
            _("案件当前为“%(status)s”，不能认领。") % {"status": case.get_status_display()}
        )
    lead = _active_lead(case)
    if lead is not None:
        if lead.mediator_id == actor.pk:
            raise AlreadyClaimed(_("您已认领该案件。"))
        # The winner of a race is named only to whom the case is still visible (e.g. a supervisor who
        # also mediates); a plain channel mediator has just lost sight of it with the claim.
        if can_see(actor, case):
            raise AlreadyClaimed(_("认领失败：该案件已由%(name)s认领。") % {"name": lead.mediator})
        raise AlreadyClaimed()
    _check_conflict(case, actor)
    try:
        with transaction.atomic():
            assignment = CaseAssignment.objects.create(
                case=case, mediator=actor, is_lead=True, how="claim", assigned_by=actor
            )
    except IntegrityError as exc:  # the partial unique index is the last line of defence
        raise AlreadyClaimed() from exc
    _start_mediation(case)
    events.CLAIMED.record(case, actor=actor, data={"mediator": str(actor), "mediator_id": actor.pk})
    warnings_sweep.on_case_changed(case, trigger="assigned", actor=actor)
    return assignment


def _eligible_mediator(case: Case, mediator: User) -> None:
    if not Membership.objects.filter(user=mediator, role=Role.MEDIATOR, center=case.center).exists():
        raise RoutingError(_("%(name)s不是承办中心的调解员。") % {"name": mediator})
    _check_conflict(case, mediator)


@entry_point
def assign_mediator(
    case: Case,
    *,
    actor: User,
    mediator: User,
    reason: str,
    lead: bool = True,
    seen_lead: int | None | object = ANY_LEAD,
) -> CaseAssignment:
    """A supervisor assigns (or reassigns) the lead mediator, or adds a co-mediator, with a reason.

    ``seen_lead``: the lead mediator's id the supervisor's form was shown with (None: the case had none);
    when it is no longer the lead (someone claimed or reassigned the case meanwhile) nothing is changed."""
    reason = reason.strip()
    if not reason:
        raise RoutingError(_("指派或改派必须填写理由。"))
    case = lock_case(case)
    if not supervises(actor, case.center):
        raise NotAllowed(_("只有督办人员可以指派调解员。"))
    if case.status not in QUEUE_STATUSES:
        raise IllegalTransition(
            _("案件当前为“%(status)s”，不能指派。") % {"status": case.get_status_display()}
        )
    current = _active_lead(case)
    if seen_lead is not ANY_LEAD and (current.mediator_id if current else None) != seen_lead:
        if current is None:
            raise StaleAssignment(
                _("本案的主办调解员已变更（现无主办），您看到的页面已过时，请刷新后重新指派。")
            )
        raise StaleAssignment(
            _("本案已由%(name)s主办，您看到的页面已过时，请核对后重新指派。") % {"name": current.mediator}
        )
    _eligible_mediator(case, mediator)
    now = timezone.now()
    existing = CaseAssignment.objects.filter(case=case, mediator=mediator, ended_at__isnull=True).first()
    previous = current if lead else None
    if existing and (existing.is_lead or not lead):
        raise RoutingError(_("%(name)s已在承办本案。") % {"name": mediator})
    if previous is not None:
        previous.ended_at, previous.end_reason = now, _("改派：%(reason)s") % {"reason": reason}
        previous.save(update_fields=["ended_at", "end_reason"])
    if existing:  # a co-mediator becomes the lead
        existing.is_lead, existing.reason, existing.assigned_by = True, reason, actor
        existing.save(update_fields=["is_lead", "reason", "assigned_by"])
        assignment = existing
    else:
        assignment = CaseAssignment.objects.create(
            case=case, mediator=mediator, is_lead=lead, how="assign", assigned_by=actor, reason=reason
        )
    if lead:
        _start_mediation(case)
    events.ASSIGNED.record(
        case,
        actor=actor,
        data={
            "mediator": str(mediator),
            "mediator_id": mediator.pk,
            "lead": lead,
            "previous": str(previous.mediator) if previous else "",
            "reason": reason,
        },
    )
    if lead:
        warnings_sweep.on_case_changed(case, trigger="assigned", actor=actor)
    return assignment


def _auto_candidates(case: Case) -> list[User]:
    """Who auto-assignment chooses from: the channel's active mediators at the case's center, those whose
    speciality names the dispute type first (else the generalists), recusal applied."""
    memberships = Membership.objects.filter(
        role=Role.MEDIATOR, center=case.center_id, channel=case.channel_id
    ).select_related("user")
    type_names = {case.dispute_type.code, case.dispute_type.name}
    matching = [m for m in memberships if m.speciality and any(t in m.speciality for t in type_names)]
    generalists = [m for m in memberships if not m.speciality]
    candidates = [m.user for m in (matching or generalists) if m.user.is_active]
    return [u for u in candidates if conflict_reason(case, u) is None]


def least_loaded_mediator(case: Case) -> User | None:
    """The channel's mediator at the case's center with the fewest open cases, preferring a matching speciality."""
    candidates = _auto_candidates(case)
    if not candidates:
        return None
    loads = dict(
        CaseAssignment.objects.filter(
            mediator__in=candidates, ended_at__isnull=True, case__status__in=OPEN_STATUSES
        )
        .values_list("mediator")
        .annotate(n=Count("pk"))
    )
    return min(candidates, key=lambda u: (loads.get(u.pk, 0), u.pk))


def auto_assign_choice(case: Case) -> tuple[User | None, str]:
    """Whom auto-assignment picks and why: ``settings.MEDIATOR_RANKING`` (a function (case, users) ->
    [(user, reason)], best first, e.g. the mediator library's ranking) over the channel's mediators at the
    case's center (``_auto_candidates``); without it, the least-loaded rule above."""
    ranking = getattr(settings, "MEDIATOR_RANKING", "")
    if not ranking:
        return least_loaded_mediator(case), _("渠道开启自动指派，按负荷最少分配")
    ranked = import_string(ranking)(case, _auto_candidates(case))
    if not ranked:
        return None, ""
    user, why = ranked[0]
    return user, _("渠道开启自动指派，按调解员推荐排序：%(why)s") % {"why": why}


def auto_assign_case(case: Case) -> CaseAssignment | None:
    """Give an unclaimed case to the least-loaded matching mediator (the channel's auto-assign setting)."""
    with transaction.atomic():
        case = lock_case(case)
        if _active_lead(case) is not None or case.status not in QUEUE_STATUSES:
            return None
        mediator, why = auto_assign_choice(case)
        if mediator is None:
            return None  # stays in the channel queue for someone to claim
        assignment = CaseAssignment.objects.create(case=case, mediator=mediator, is_lead=True, how="auto")
        _start_mediation(case)
        events.ASSIGNED.record(
            case,
            actor=None,
            data={
                "mediator": str(mediator),
                "mediator_id": mediator.pk,
                "lead": True,
                "auto": True,
                "reason": why,
            },
        )
        warnings_sweep.on_case_changed(case, trigger="assigned")
    return assignment


@entry_point
def declare_interest(case: Case, *, actor: User, user: User, reason: str) -> InterestDeclaration:
    """Record that ``user`` has an interest in the case (回避); their assignment, if any, ends."""
    reason = reason.strip()
    if not reason:
        raise RoutingError(_("回避必须填写理由。"))
    case = lock_case(case)
    if actor.pk != user.pk and not supervises(actor, case.center):
        raise NotAllowed(_("只能本人申请回避，或由督办人员决定回避。"))
    declaration, created = InterestDeclaration.objects.get_or_create(
        case=case, user=user, defaults={"reason": reason, "declared_by": actor}
    )
    if not created:
        raise RoutingError(_("%(name)s已登记回避。") % {"name": user})
    active = CaseAssignment.objects.filter(case=case, mediator=user, ended_at__isnull=True).first()
    if active:
        active.ended_at, active.end_reason = timezone.now(), _("回避")
        active.save(update_fields=["ended_at", "end_reason"])
        others = CaseAssignment.objects.filter(case=case, ended_at__isnull=True).exists()
        if active.is_lead and not others and case.status == Status.IN_MEDIATION:
            move(case, Status.ROUTED)  # nobody left on it: back to the channel queue
    events.RECUSED.record(
        case,
        actor=actor,
        data={"user": str(user), "user_id": user.pk, "was_assigned": bool(active), "reason": reason},
    )
    return declaration


# --- Level transfer -----------------------------------------------------------------


@entry_point
def transfer_case(case: Case, *, actor: User, to_center: Center, reason: str) -> Case:
    """Escalate to the parent center or hand down to a child; number, code and history stay."""
    reason = reason.strip()
    if not reason:
        raise RoutingError(_("层级移交必须填写理由。"))
    case = lock_case(case)
    from_center = case.center
    if to_center.pk == from_center.parent_id:
        direction = "up"
    elif to_center.parent_id == from_center.pk:
        direction = "down"
    else:
        raise RoutingError(_("只能移交给上一级中心或直属下级中心。"))
    now = timezone.now()
    ended = CaseAssignment.objects.filter(case=case, ended_at__isnull=True).update(
        ended_at=now, end_reason=_("层级移交")
    )
    case.center = to_center
    move(case, Status.ROUTED, extra_fields=("center",))
    events.TRANSFERRED.record(
        case,
        actor=actor,
        data={
            "direction": direction,
            "from_center_id": from_center.pk,
            "from_center": from_center.name,
            "to_center_id": to_center.pk,
            "to_center": to_center.name,
            "ended_assignments": ended,
            "reason": reason,
        },
    )
    warnings_sweep.on_case_changed(case, actor=actor)
    return case


# --- Department summons ---------------------------------------------------------------


@entry_point
def summon_departments(
    case: Case, *, actor: User | None, departments: list[Department], deadline: datetime, note: str = ""
) -> list[Summons]:
    """Call departments to the case (吹哨) with a response deadline; one event for the whole call."""
    if not departments:
        raise RoutingError(_("请至少选择一个部门。"))
    if deadline <= timezone.now():
        raise RoutingError(_("响应期限必须晚于当前时间。"))
    case = lock_case(case)
    if not case.is_open:
        raise IllegalTransition(_("案件已结束，不能再吹哨。"))
    open_ids = set(
        Summons.objects.filter(
            case=case, state__in=[Summons.State.PENDING, Summons.State.ACCEPTED]
        ).values_list("department_id", flat=True)
    )
    already = [d.name for d in departments if d.pk in open_ids]
    if already:
        raise RoutingError(_("以下部门已在协办本案：%(names)s") % {"names": "、".join(already)})
    summonses = Summons.objects.bulk_create(
        [
            Summons(case=case, department=d, deadline=deadline, note=note.strip(), summoned_by=actor)
            for d in departments
        ]
    )
    events.SUMMONED.record(
        case,
        actor=actor,
        data={
            "departments": [d.name for d in departments],
            "deadline": deadline.isoformat(),
            "reason": note.strip(),
        },
    )
    return summonses


def _lock_summons(summons: Summons, actor: User) -> Summons:
    summons = Summons.objects.select_for_update().get(pk=summons.pk)
    if not answers_summons(actor, summons):
        raise NotAllowed(_("只有被吹哨部门的联络员可以响应。"))
    return summons


@entry_point
def accept_summons(summons: Summons, *, actor: User) -> Summons:
    """The department reports to the case (报到)."""
    summons = _lock_summons(summons, actor)
    if summons.state != Summons.State.PENDING:
        raise IllegalTransition(_("该协办已响应，不能重复报到。"))
    summons.state, summons.responded_by, summons.responded_at = (
        Summons.State.ACCEPTED,
        actor,
        timezone.now(),
    )
    summons.save(update_fields=["state", "responded_by", "responded_at"])
    events.SUMMONS_ACCEPTED.record(
        summons.case, actor=actor, data={"department": summons.department.name, "summons_id": summons.pk}
    )
    return summons


@entry_point
def decline_summons(summons: Summons, *, actor: User, reason: str) -> Summons:
    """The department declines the summons, with a reason the mediator and supervisor see."""
    reason = reason.strip()
    if not reason:
        raise RoutingError(_("拒绝协办必须填写理由。"))
    summons = _lock_summons(summons, actor)
    if summons.state != Summons.State.PENDING:
        raise IllegalTransition(_("该协办已响应，不能再拒绝。"))
    summons.state, summons.responded_by, summons.responded_at = (
        Summons.State.DECLINED,
        actor,
        timezone.now(),
    )
    summons.decline_reason = reason
    summons.save(update_fields=["state", "responded_by", "responded_at", "decline_reason"])
    events.SUMMONS_DECLINED.record(
        summons.case,
        actor=actor,
        data={"department": summons.department.name, "summons_id": summons.pk, "reason": reason},
    )
    return summons


@entry_point
def record_summons_action(summons: Summons, *, actor: User, action: str) -> Summons:
    """Record what the department did on the case after reporting."""
    action = action.strip()
    if not action:
        raise RoutingError(_("请填写部门办理情况。"))
    summons = _lock_summons(summons, actor)
    if summons.state not in (Summons.State.ACCEPTED, Summons.State.DONE):
        raise IllegalTransition(_("请先报到，再记录办理情况。"))
    summons.state, summons.action_taken, summons.action_at = Summons.State.DONE, action, timezone.now()
    summons.save(update_fields=["state", "action_taken", "action_at"])
    events.SUMMONS_ACTION.record(
        summons.case,
        actor=actor,
        data={"department": summons.department.name, "summons_id": summons.pk, "reason": action},
    )
    return summons


# --- Per-case grants (django-guardian) -------------------------------------------------


@entry_point
def grant_case_access(case: Case, *, actor: User, user: User, write: bool, reason: str) -> None:
    """Let one person (e.g. an outside expert mediator) see, or also work, one case."""
    reason = reason.strip()
    if not reason:
        raise RoutingError(_("授予个案权限必须填写理由。"))
    case = lock_case(case)
    if not supervises(actor, case.center):
        raise NotAllowed(_("只有督办人员可以授予个案权限。"))
    if user.kind != User.Kind.STAFF:
        raise RoutingError(_("只能向工作人员授予个案权限。"))
    assign_perm("cases.view_case", user, case)
    if write:
        assign_perm("cases.change_case", user, case)
    else:
        remove_perm("cases.change_case", user, case)
    events.ACCESS_GRANTED.record(
        case, actor=actor, data={"user": str(user), "user_id": user.pk, "write": write, "reason": reason}
    )


@entry_point
def revoke_case_access(case: Case, *, actor: User, user: User, reason: str) -> None:
    """Withdraw a per-case grant."""
    reason = reason.strip()
    if not reason:
        raise RoutingError(_("撤销个案权限必须填写理由。"))
    case = lock_case(case)
    if not supervises(actor, case.center):
        raise NotAllowed(_("只有督办人员可以撤销个案权限。"))
    remove_perm("cases.view_case", user, case)
    remove_perm("cases.change_case", user, case)
    events.ACCESS_REVOKED.record(
        case, actor=actor, data={"user": str(user), "user_id": user.pk, "reason": reason}
    )
