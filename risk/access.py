"""Who may see and work risk signals: the one place that decides it.

Supervisors and administrators see and work the signals of their centers' subtrees (a town supervisor sees
only the town's and its villages'; a signal whose cases span two towns belongs to their county). The signal's
assignee and the owners of its follow-up tasks may read it (and owners complete their own tasks). Everyone
else gets 404, the same answer as for a signal that does not exist; a reader who may not change it gets 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.access import roles_of
from accounts.models import Membership, User
from cases.core.access import is_staff_user

Role = Membership.Role
WORKERS = (Role.SUPERVISOR, Role.ADMIN)


def is_supervisor(user: User) -> bool:
    return is_staff_user(user) and (roles_of(user).has(*WORKERS) or user.is_superuser)


def supervised_center_ids(user: User) -> list[int] | None:
    """The centers whose signals ``user`` works; None means every center (a superuser)."""
    if user.is_superuser:
        return None
    return roles_of(user).subtree_center_ids(*WORKERS)


def signals_visible_to(user: User) -> QuerySet:
    from risk.models import RiskSignal

    if not is_staff_user(user):
        return RiskSignal.objects.none()
    ids = supervised_center_ids(user)
    if ids is None:
        return RiskSignal.objects.all()
    return RiskSignal.objects.filter(
        Q(center_id__in=ids) | Q(assignee=user) | Q(tasks__owner=user)
    ).distinct()


def can_change(user: User, signal) -> bool:
    ids = supervised_center_ids(user)
    return is_staff_user(user) and (ids is None or signal.center_id in ids)


def require_write(user: User, signal) -> None:
    if not can_change(user, signal):
        raise PermissionDenied


def get_signal_for_user(user: User, pk: int, *, write: bool = False, queryset=None):
    """The signal, or 404 when ``user`` may not see it; 403 when they may see but not change it."""
    queryset = queryset if queryset is not None else signals_visible_to(user)
    signal = queryset.filter(pk=pk).first() if str(pk).isdigit() else None
    if signal is None:
        raise Http404
    if write:
        require_write(user, signal)
    return signal


def may_be_assigned(user: User, signal) -> bool:
    """A staff member holding any role at the signal's center, above it or below it."""
    if not is_staff_user(user):
        return False
    path = signal.center.path
    return any(
        path.startswith(m.center.path) or m.center.path.startswith(path) for m in roles_of(user).memberships
    )
