"""Every staff page's badges, bell and center switch (settings.TEMPLATES: after accounts' navigation)."""

from accounts.access import current_membership, roles_of
from cases.core.access import is_staff_user

from .counts import work_counts


def workbench(request):
    user = getattr(request, "user", None)
    if user is None or not is_staff_user(user):
        return {}
    membership = current_membership(request)
    return {
        "work_counts": work_counts(user, membership.center if membership else None),
        "current_membership": membership,
        "memberships": roles_of(user).memberships,
    }
