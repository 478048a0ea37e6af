"""Writes of the mediator library: a case to a studio or team, a party's request and its answer.

Each writes exactly one timeline event with its actor. A studio's or team's members reach the case through
django-guardian per-case grants (the existing mechanism of ``cases.core.access``); the lead also gets
routing's lead assignment when they mediate at the case's center, so the case is in their queue as any other.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import Membership, User
from cases.core.access import supervises
from cases.core.models import Case
from cases.core.services import lock_case
from cases.core.states import BEFORE_MEDIATION_STATUSES, QUEUE_STATUSES, Status, move
from cases.warnings import sweep as warnings_sweep
from mediation_center.errors import IllegalTransition, NotAllowed
from mediation_center.transactions import entry_point
from routing.models import CaseAssignment

from . import events
from .access import answers_requests_for
from .errors import LibraryError
from .models import GroupAssignment, GroupMember, MediationGroup, MediatorProfile, MediatorRequest
from .ranking import _must_recuse, recusing_user_ids

Role = Membership.Role
REQUEST_STATUSES = BEFORE_MEDIATION_STATUSES  # 受理/分流: before mediation begins


def _grant(case: Case, user: User) -> None:
    assign_perm("cases.view_case", user, case)
    assign_perm("cases.change_case", user, case)


def _revoke(case: Case, user_ids: list[int]) -> None:
    for user in User.objects.filter(pk__in=user_ids):
        remove_perm("cases.view_case", user, case)
        remove_perm("cases.change_case", user, case)


def _give_to_group(case: Case, *, actor: User | None, group: MediationGroup, lead: User, reason: str) -> dict:
    """The work of giving ``case`` to ``group`` with ``lead`` (no event: the caller records one)."""
    if case.status not in QUEUE_STATUSES:
        raise IllegalTransition(
            _("案件当前为“%(status)s”，不能指派。") % {"status": case.get_status_display()}
        )
    members = list(group.members.select_related("profile__user"))
    users = [m.profile.user for m in members if m.profile.user.is_active]
    if lead.pk not in {u.pk for u in users}:
        raise LibraryError(_("主办人必须是%(group)s的成员。") % {"group": group})
    recusing = recusing_user_ids(case)
    if _must_recuse(lead, recusing):
        raise LibraryError(_("%(name)s须回避，不能主办本案。") % {"name": lead})
    recused = [u for u in users if _must_recuse(u, recusing)]
    users = [u for u in users if not _must_recuse(u, recusing)]
    now = timezone.now()
    previous = GroupAssignment.objects.select_for_update().filter(case=case, ended_at__isnull=True).first()
    if previous is not None:
        if previous.group_id == group.pk and previous.lead_id == lead.pk:
            raise LibraryError(_("本案已由%(group)s承办。") % {"group": group})
        previous.ended_at = now
        previous.save(update_fields=["ended_at"])
        _revoke(case, [pk for pk in previous.member_ids if pk not in {u.pk for u in users}])
    for user in users:
        _grant(case, user)
    lead_assigned = Membership.objects.filter(user=lead, role=Role.MEDIATOR, center=case.center_id).exists()
    if lead_assigned:
        current = CaseAssignment.objects.filter(case=case, is_lead=True, ended_at__isnull=True).first()
        if current is None or current.mediator_id != lead.pk:
            if current is not None:
                current.ended_at, current.end_reason = now, _("改由%(group)s承办") % {"group": group}
                current.save(update_fields=["ended_at", "end_reason"])
            CaseAssignment.objects.filter(case=case, mediator=lead, ended_at__isnull=True).update(
                ended_at=now, end_reason=_("改任主办")
            )
            CaseAssignment.objects.create(
                case=case, mediator=lead, is_lead=True, how="assign", assigned_by=actor, reason=reason[:200]
            )
    if case.status == Status.ROUTED:
        move(case, Status.IN_MEDIATION)
    GroupAssignment.objects.create(
        case=case,
        group=group,
        lead=lead,
        member_ids=[u.pk for u in users],
        assigned_by=actor,
        reason=reason[:200],
    )
    return {
        "group": group.name,
        "group_id": group.pk,
        "kind": group.get_kind_display(),
        "lead": str(lead),
        "lead_id": lead.pk,
        "members": [str(u) for u in users],
        "recused": [str(u) for u in recused],
        "previous": previous.group.name if previous else "",
        "reason": reason,
    }


@entry_point
def assign_case_to_group(case: Case, *, actor: User, group: MediationGroup, lead: User, reason: str) -> Case:
    """A supervisor gives a case to a studio or a 1+1+N team and names its lead among the members."""
    reason = reason.strip()
    if not reason:
        raise LibraryError(_("指派工作室/团队必须填写理由。"))
    case = lock_case(case)
    if not supervises(actor, case.center):
        raise NotAllowed(_("只有督办人员可以指派工作室/团队。"))
    if not group.active:
        raise LibraryError(_("%(group)s已停用。") % {"group": group})
    data = _give_to_group(case, actor=actor, group=group, lead=lead, reason=reason)
    events.GROUP_ASSIGNED.record(case, actor=actor, data=data)
    warnings_sweep.on_case_changed(case, trigger="assigned", actor=actor)
    return case


@entry_point
def request_mediator(
    case: Case,
    *,
    actor: User,
    reason: str,
    profile: MediatorProfile | None = None,
    group: MediationGroup | None = None,
) -> MediatorRequest:
    """A party (the view has checked they are one) asks for a specific public mediator or studio."""
    reason = reason.strip()
    if not reason:
        raise LibraryError(_("请填写申请理由。"))
    if (profile is None) == (group is None):
        raise LibraryError(_("请选择一位调解员或一个工作室/团队。"))
    target = profile or group
    if not (target.is_public and target.active):
        raise LibraryError(_("所选调解员或工作室不在公开名录中。"))
    case = lock_case(case)
    if case.status not in REQUEST_STATUSES:
        raise IllegalTransition(_("案件已进入调解，不能再申请指定调解员。"))
    if MediatorRequest.objects.filter(case=case, state=MediatorRequest.State.PENDING).exists():
        raise LibraryError(_("本案已有一份待答复的申请，请等待答复。"))
    request = MediatorRequest.objects.create(
        case=case, profile=profile, group=group, reason=reason[:300], requested_by=actor
    )
    events.MEDIATOR_REQUESTED.record(
        case,
        actor=actor,
        data={"request_id": request.pk, "target": str(target), "reason": reason},
    )
    return request


@entry_point
def decide_request(request: MediatorRequest, *, actor: User, accept: bool, reason: str) -> MediatorRequest:
    """The supervisor or clerk accepts or declines a party's request, with a reason the party sees. Accepting
    a request on a routed case gives it to the chosen mediator or studio at once."""
    reason = reason.strip()
    if not reason:
        raise LibraryError(_("答复必须填写理由，当事人可以看到。"))
    case = lock_case(request.case)
    request = MediatorRequest.objects.select_for_update().get(pk=request.pk)
    if not answers_requests_for(actor, case):
        raise NotAllowed(_("只有本案承办中心的督办人员或受理员可以答复。"))
    if request.state != MediatorRequest.State.PENDING:
        raise IllegalTransition(_("该申请已答复。"))
    assigned = False
    if accept:
        assigned = _assign_accepted(case, request, actor=actor, reason=reason)
    request.state = MediatorRequest.State.ACCEPTED if accept else MediatorRequest.State.DECLINED
    request.decided_by, request.decided_at, request.decision_reason = actor, timezone.now(), reason[:300]
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
    event = events.REQUEST_ACCEPTED if accept else events.REQUEST_DECLINED
    event.record(
        case,
        actor=actor,
        data={
            "request_id": request.pk,
            "target": str(request.target),
            "assigned": assigned,
            "reason": reason,
        },
    )
    if assigned:
        warnings_sweep.on_case_changed(case, trigger="assigned", actor=actor)
    return request


def _assign_accepted(case: Case, request: MediatorRequest, *, actor: User, reason: str) -> bool:
    """On a routed case the accepted mediator or studio takes it now; before routing, the answer is recorded
    and the supervisor assigns after routing (the request's state shows it)."""
    if case.status not in QUEUE_STATUSES or case.status == Status.REGISTERED:
        return False
    if request.group is not None:
        members = request.group.members.select_related("profile__user")
        lead = members.filter(role=GroupMember.Role.LEADER).first() or members.order_by("pk").first()
        if lead is None:
            raise LibraryError(_("%(group)s还没有成员。") % {"group": request.group})
        _give_to_group(case, actor=actor, group=request.group, lead=lead.profile.user, reason=reason)
        return True
    user = request.profile.user
    if _must_recuse(user, recusing_user_ids(case)):
        raise LibraryError(_("%(name)s须回避，不能承办本案。") % {"name": user})
    if not Membership.objects.filter(user=user, role=Role.MEDIATOR, center=case.center_id).exists():
        _grant(case, user)  # an outside expert: a per-case grant, recorded by this answer's event
        return True
    now = timezone.now()
    CaseAssignment.objects.filter(case=case, ended_at__isnull=True, is_lead=True).exclude(
        mediator=user
    ).update(ended_at=now, end_reason=_("当事人申请指定调解员"))
    if not CaseAssignment.objects.filter(case=case, mediator=user, ended_at__isnull=True).exists():
        CaseAssignment.objects.create(
            case=case, mediator=user, is_lead=True, how="assign", assigned_by=actor, reason=reason[:200]
        )
    if case.status == Status.ROUTED:
        move(case, Status.IN_MEDIATION)
    return True
