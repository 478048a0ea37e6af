"""Reads for cases: lists at a fixed number of queries, whatever their size."""

from django.db.models import Prefetch, Q, QuerySet

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


SEARCH_LIMIT = 50


def search_cases(user: User, query: str, *, limit: int = SEARCH_LIMIT) -> list[Case]:
    """The top bar's search over the cases the user may see: the exact case number or tracking code, or a
    party whose name starts with (one character) or contains (two or more) the query. Two queries."""
    query = query.strip()
    if not query:
        return []
    names = Party.objects.filter(
        **({"name__startswith": query} if len(query) < 2 else {"name__contains": query})
    )
    found = case_list_for(user).filter(
        Q(number=query) | Q(tracking_code__in={query, query.upper()}) | Q(pk__in=names.values("case_id"))
    )
    return list(found[:limit])
