"""Who may see and do what in the mediator library.

- Every member of staff with a role reads the library (profiles, studios and teams) of the whole system:
  it is a directory, like the center tree. Personal figures are not in it: measures are separate.
- Supervisors and admins see the measures of the mediators and studios serving their centers' subtree,
  answer parties' requests for their cases and give a case to a studio or team; clerks of the case's
  center answer requests too. A mediator sees their own measures.
- An outside expert (a profile with no membership) reaches cases only through per-case grants.
- The public directory shows only public profiles and studios, only their public fields.
What the user may not see answers 404; what they may see but not do, 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.access import roles_of
from accounts.models import Membership, User
from cases.core.access import is_staff_user, supervises
from cases.core.models import Case

from .models import MediationGroup, MediatorProfile, MediatorRequest

Role = Membership.Role


def reads_library(user: User) -> bool:
    return is_staff_user(user) and bool(roles_of(user).names)


def supervises_measures(user: User) -> bool:
    return is_staff_user(user) and roles_of(user).has(Role.SUPERVISOR, Role.ADMIN)


def profiles_visible_to(user: User) -> QuerySet[MediatorProfile]:
    if not reads_library(user):
        return MediatorProfile.objects.none()
    return MediatorProfile.objects.all()


def groups_visible_to(user: User) -> QuerySet[MediationGroup]:
    if not reads_library(user):
        return MediationGroup.objects.none()
    return MediationGroup.objects.all()


def get_profile_for_user(user: User, pk: int) -> MediatorProfile:
    profile = profiles_visible_to(user).select_related("user").filter(pk=pk).first()
    if profile is None:
        raise Http404
    return profile


def get_group_for_user(user: User, pk: int) -> MediationGroup:
    group = groups_visible_to(user).select_related("center").filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


def public_profiles() -> QuerySet[MediatorProfile]:
    return MediatorProfile.objects.filter(is_public=True, active=True, user__is_active=True)


def public_groups() -> QuerySet[MediationGroup]:
    return MediationGroup.objects.filter(is_public=True, active=True)


def answers_requests_for(user: User, case: Case) -> bool:
    """The supervisor of the case's center (or above), or a clerk of the case's center."""
    if not is_staff_user(user):
        return False
    return supervises(user, case.center) or any(
        m.center_id == case.center_id for m in roles_of(user).memberships_for(Role.CLERK)
    )


def requests_visible_to(user: User) -> QuerySet[MediatorRequest]:
    """The requests on cases of the user's centers: a supervisor's subtree, a clerk's own center."""
    if not is_staff_user(user):
        return MediatorRequest.objects.none()
    roles = roles_of(user)
    center_ids = set(roles.subtree_center_ids(Role.SUPERVISOR, Role.ADMIN))
    center_ids |= {m.center_id for m in roles.memberships_for(Role.CLERK)}
    return MediatorRequest.objects.filter(case__center_id__in=center_ids)


def get_request_for_user(user: User, pk: int, *, write: bool = False) -> MediatorRequest:
    request = (
        requests_visible_to(user)
        .select_related("case", "case__center", "profile__user", "group")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404
    if write and not answers_requests_for(user, request.case):
        raise PermissionDenied
    return request
