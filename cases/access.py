"""Who may see and change which case. Views and the API never query cases directly.

A case the user may not see answers 404 (same as a missing one); one they may see but
not change answers 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.access import roles_of
from accounts.models import Membership, User
from cases.models import Case

Role = Membership.Role


def _visible_q(user: User) -> Q:
    roles = roles_of(user)
    q = roles.subtree_q("center", Role.SUPERVISOR, Role.ADMIN)
    for m in roles.memberships_for(Role.CLERK):
        q |= Q(origin_center=m.center) | Q(center=m.center, status__in=["submitted", "registered"])
    q |= Q(registered_by=user)
    for m in roles.memberships_for(Role.MEDIATOR):
        q |= Q(center=m.center, channel=m.channel_id) if m.channel_id else Q(center=m.center)
    return q


def _writable_q(user: User) -> Q:
    roles = roles_of(user)
    q = roles.subtree_q("center", Role.SUPERVISOR, Role.ADMIN)
    for m in roles.memberships_for(Role.CLERK):
        q |= Q(center=m.center, status__in=["submitted", "registered"])
    for m in roles.memberships_for(Role.MEDIATOR):
        q |= Q(center=m.center, channel=m.channel_id) if m.channel_id else Q(center=m.center)
    return q


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Every case the user may open, as one filter (no per-row checks)."""
    if not user.is_authenticated or user.kind != User.Kind.STAFF:
        return Case.objects.none()
    return Case.objects.filter(_visible_q(user)).distinct()


def can_change(user: User, case: Case) -> bool:
    if not user.is_authenticated or user.kind != User.Kind.STAFF:
        return False
    return Case.objects.filter(_writable_q(user), pk=case.pk).exists()


def get_case_for_user(
    user: User, pk: int, *, write: bool = False, queryset: QuerySet[Case] | None = None
) -> Case:
    """The case if ``user`` may see it (404 otherwise); with ``write=True`` also 403 unless they may change it."""
    base = queryset if queryset is not None else Case.objects.all()
    case = base.filter(pk=pk).filter(pk__in=cases_visible_to(user).values("pk")).first()
    if case is None:
        raise Http404
    if write and not can_change(user, case):
        raise PermissionDenied
    return case
