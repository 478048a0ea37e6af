"""A case's mediators as cases reads them: the assignments, through ``Case.assignments``.

routing owns the assignment model and writes it; its foreign key to ``Case`` declares the reverse relation
``assignments``. cases only reads those rows, and reaches them through that relation rather than by importing
routing, so that routing builds on cases.core and never the other way round. The model is taken from the
relation (not a join through ``Case``) so that the SQL stays a plain sub-select on the assignments table:
a join back to the cases table inside every visibility filter would cost the planner an extra scan.
"""

from django.db.models import Exists, Model, OuterRef, Prefetch, QuerySet

from accounts.models import User
from cases.core.models import Case


def _assignment_model() -> type[Model]:
    return Case._meta.get_field("assignments").related_model


def active_assignments() -> QuerySet:
    """Assignments not yet ended: the mediators working a case now."""
    return _assignment_model().objects.filter(ended_at__isnull=True)


def assigned_case_ids(user: User) -> QuerySet:
    """The ids of the cases ``user`` works now, as a sub-select (``pk__in=``)."""
    return active_assignments().filter(mediator=user).values("case_id")


def is_claimed() -> Exists:
    """Whether the outer case has an active assignment.

    NOT EXISTS is an anti-join on the active-assignment index; NOT IN (subquery) over ~1M active
    assignments was scanned per candidate row (12 s at 1M cases, bench/README.md finding 1)."""
    return Exists(active_assignments().filter(case_id=OuterRef("pk")))


def case_assignments_prefetch() -> Prefetch:
    """For the case page's query: every assignment of the case once, for all the sections that show them."""
    return Prefetch(
        "assignments",
        queryset=_assignment_model()
        .objects.select_related("mediator", "assigned_by")
        .order_by("-is_lead", "assigned_at"),
    )
