"""Badge counts of grassroots (settings.WORK_COUNT_PROVIDERS): a grid worker's reports still waiting at
intake, a supervisor's open latent risks and overdue screening tasks. At most three queries."""

from accounts.models import Membership
from cases.core.states import INTAKE_STATUSES

from .models import Entry, LatentRisk, ScreeningTask

Role = Membership.Role


def work_counts(user, roles, center_ids) -> dict[str, int]:
    from django.utils import timezone

    found = {}
    if roles.has(Role.GRID_WORKER):
        found["grassroots_reports_waiting"] = Entry.objects.filter(
            recorded_by=user, kind=Entry.Kind.REPORT, case__status__in=INTAKE_STATUSES
        ).count()
    if roles.has(Role.SUPERVISOR, Role.ADMIN):
        subtree = roles.subtree_center_ids(Role.SUPERVISOR, Role.ADMIN)
        if center_ids is not None:
            subtree = [c for c in subtree if c in set(center_ids)]
        found["grassroots_open_risks"] = LatentRisk.objects.filter(
            center__in=subtree, status=LatentRisk.Status.OPEN
        ).count()
        found["grassroots_rounds_overdue"] = ScreeningTask.objects.filter(
            round__center__in=subtree,
            status=ScreeningTask.Status.PENDING,
            round__due_on__lt=timezone.localdate(),
        ).count()
    return found
