"""Who may use the grassroots forms and see its own rows (latent risks, screening rounds). What an entry's
case shows follows ``cases.core.access`` (a grid worker sees what they registered and what is assigned to
them); what a user may not see answers 404."""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.access import roles_of
from accounts.models import Center, Membership, User
from cases.core.access import is_staff_user

from .models import Entry, LatentRisk, ScreeningRound, ScreeningTask

Role = Membership.Role
FRONT_LINE_LEVELS = (Center.Level.VILLAGE, Center.Level.TOWN)


def recording_centers(user: User) -> list[Center]:
    """Where the user may record and report from the phone form: grid workers at their village, mediators
    at a village or town (随手调 is the front line's work)."""
    if not is_staff_user(user):
        return []
    found = {}
    for m in roles_of(user).memberships_for(Role.GRID_WORKER, Role.MEDIATOR):
        if m.center.level in FRONT_LINE_LEVELS:
            found.setdefault(m.center_id, m.center)
    return list(found.values())


def may_record(user: User) -> bool:
    return bool(recording_centers(user))


def _supervised_ids(user: User) -> list[int]:
    return roles_of(user).subtree_center_ids(Role.SUPERVISOR, Role.ADMIN)


def entries_visible_to(user: User) -> QuerySet[Entry]:
    """The user's own entries, and those of the centers they supervise."""
    if not is_staff_user(user):
        return Entry.objects.none()
    return Entry.objects.filter(Q(recorded_by=user) | Q(case__origin_center__in=_supervised_ids(user)))


def risks_visible_to(user: User) -> QuerySet[LatentRisk]:
    """A reporter's own risks; supervisors' subtree; the clerks and mediators of the risk's own center."""
    if not is_staff_user(user):
        return LatentRisk.objects.none()
    roles = roles_of(user)
    local = [m.center_id for m in roles.memberships_for(Role.CLERK, Role.MEDIATOR)]
    return LatentRisk.objects.filter(
        Q(reported_by=user) | Q(center__in=_supervised_ids(user)) | Q(center__in=local)
    )


def supervises_center(user: User, center: Center) -> bool:
    return is_staff_user(user) and center.pk in _supervised_ids(user)


def may_handle_risks(user: User) -> bool:
    return is_staff_user(user) and roles_of(user).has(Role.SUPERVISOR, Role.ADMIN)


def can_close_risk(user: User, risk: LatentRisk) -> bool:
    """Closing a risk (销号) is a supervisor's decision at the risk's center or above."""
    return is_staff_user(user) and risk.center_id in _supervised_ids(user)


def get_risk_for_user(user: User, pk: int) -> LatentRisk:
    risk = risks_visible_to(user).select_related("center", "reported_by", "grid_area").filter(pk=pk).first()
    if risk is None:
        raise Http404
    return risk


def may_schedule_rounds(user: User) -> bool:
    return may_handle_risks(user)


def rounds_visible_to(user: User) -> QuerySet[ScreeningRound]:
    """Rounds organised in the supervisor's subtree, and rounds with a task for one of the user's centers."""
    if not is_staff_user(user):
        return ScreeningRound.objects.none()
    own = [m.center_id for m in roles_of(user).memberships]
    return ScreeningRound.objects.filter(
        Q(center__in=_supervised_ids(user))
        | Q(pk__in=ScreeningTask.objects.filter(center__in=own).values("round"))
    )


def may_report_task(user: User, task: ScreeningTask) -> bool:
    """The assignee's staff (any role at that center; a department's liaisons for a department's task), or
    a supervisor above it."""
    if not is_staff_user(user):
        return False
    roles = roles_of(user)
    if task.center_id in _supervised_ids(user):
        return True
    if task.department_id:
        return task.department_id in roles.department_ids()
    return any(m.center_id == task.center_id for m in roles.memberships)


def tasks_visible_to(user: User) -> QuerySet[ScreeningTask]:
    return ScreeningTask.objects.filter(round__in=rounds_visible_to(user).values("pk"))
