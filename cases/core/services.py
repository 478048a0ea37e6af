"""The services: every state change of a case, each atomic, each writing one timeline event."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cases.core.models import Case


def lock_case(case_or_pk: Case | int, *related: str) -> Case:
    """The case's row, read again under ``SELECT ... FOR UPDATE`` (the caller is inside ``transaction.atomic``).

    ``related`` are ``select_related`` names fetched (and, on PostgreSQL, locked) with it, e.g. ``"center"``.
    """
    from cases.core.models import Case  # the models import the states, which the services import

    pk = getattr(case_or_pk, "pk", case_or_pk)
    queryset = Case.objects.select_for_update()
    if related:
        queryset = queryset.select_related(*related)
    return queryset.get(pk=pk)
