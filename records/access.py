"""Who may find an archived case: the supervisors and administrators of its center's subtree (one place)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.access import centers_supervised_by
from accounts.models import User

from .models import ArchivedCase


def archived_cases_visible_to(user: User) -> QuerySet[ArchivedCase]:
    if not user.is_authenticated:
        return ArchivedCase.objects.none()
    return ArchivedCase.objects.filter(center__in=centers_supervised_by(user))


def get_archived_case_for_user(user: User, pk: int) -> ArchivedCase:
    found = archived_cases_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def may_search_archive(user: User) -> bool:
    return user.is_authenticated and centers_supervised_by(user).exists()


def search_archive(user: User, q: str) -> QuerySet[ArchivedCase]:
    found = archived_cases_visible_to(user).select_related("center")
    q = q.replace("\x00", "").strip()  # a NUL cannot be stored or matched (PostgreSQL refuses it in a query)
    if q:
        found = found.filter(
            Q(case_number__icontains=q) | Q(tracking_code=q.upper()) | Q(party_names__icontains=q)
        )
    return found.order_by("-closed_at", "-pk")
