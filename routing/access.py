"""Routing's access rules: the channel queue, who may claim a case, and who sees or answers a summons.

They build on the case-visibility rules of ``cases.core.access`` (a summons, a claim, a queue row is
reached only where the case itself may be seen, or through the department's summons); cases knows
nothing of these. As there, what the user may not see answers 404 and what they may see but not do 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.access import roles_of
from accounts.models import Membership, User
from cases.core.access import cases_visible_to, get_case_for_user, is_staff_user, unclaimed_in_channels_q
from cases.core.models import Case
from cases.core.states import QUEUE_STATUSES

from .models import Summons

Role = Membership.Role


def channel_queue_q(user: User) -> Q:
    """The channel queue: unclaimed cases ready to be claimed, of the user's channels at the centers where
    they mediate."""
    return unclaimed_in_channels_q(user, QUEUE_STATUSES)


def may_claim(user: User, case: Case) -> bool:
    """A mediator of the case's channel (or of every channel) at the case's center."""
    return is_staff_user(user) and any(
        m.center_id == case.center_id and (m.channel_id is None or m.channel_id == case.channel_id)
        for m in roles_of(user).memberships_for(Role.MEDIATOR)
    )


def get_case_for_claim(user: User, pk: int) -> Case:
    """The case a mediator tries to claim: 404 unless they may see it, as everywhere; 403 unless they mediate
    its channel at its center. A case someone else holds has left the channel queue, so the other mediators
    of the channel get 404 here: neither its existence, its status nor its holder leaks through a claim."""
    case = get_case_for_user(user, pk)
    if not may_claim(user, case):
        raise PermissionDenied
    return case


# Summonses: a liaison reaches a case only through their department's summons.


def summonses_visible_to(user: User) -> QuerySet[Summons]:
    """Summonses of the user's departments, plus those on cases the user may see in full."""
    if not is_staff_user(user):
        return Summons.objects.none()
    q = Q(department_id__in=roles_of(user).department_ids())
    q |= Q(case__in=cases_visible_to(user))
    return Summons.objects.filter(q)


def answers_summons(user: User, summons: Summons) -> bool:
    """Only a liaison of the summoned department answers for it."""
    return is_staff_user(user) and summons.department_id in roles_of(user).department_ids()


def get_summons_for_user(user: User, pk: int, *, write: bool = False) -> Summons:
    """The summons if visible (404 otherwise); ``write=True`` also needs the department's liaison (403)."""
    summons = (
        summonses_visible_to(user)
        .select_related("case", "case__dispute_type", "case__center", "case__channel", "department")
        .filter(pk=pk)
        .first()
    )
    if summons is None:
        raise Http404
    if write and not answers_summons(user, summons):
        raise PermissionDenied
    return summons
