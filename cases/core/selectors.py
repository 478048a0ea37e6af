"""Reads for cases: lists at a fixed number of queries, whatever their size."""

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from cases.core.access import cases_visible_to
from cases.core.models import Case, Party, TimelineEvent


def case_list_for(user: User) -> QuerySet[Case]:
    return (
        cases_visible_to(user)
        .select_related("dispute_type", "center", "channel")
        .prefetch_related(Prefetch("parties", queryset=Party.objects.order_by("role", "pk")))
        .order_by("-warning_level", "-created_at")
    )


def case_timeline(case: Case, *, public_only: bool = False) -> QuerySet[TimelineEvent]:
    events = case.events.select_related("actor")
    return events.filter(is_public=True) if public_only else events
