"""The staff case page's data, gathered in one place from each sub-domain's section selector.

Every read of the page happens here, before the template renders: the sections share what several of them
need (the case's assignments, its parties and attachments, ``can_change``) instead of each asking again,
and the templates only show what they are given (tests/cases/test_case_page_queries.py holds both).
"""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from cases.core.access import can_change
from cases.core.assignments import case_assignments_prefetch
from cases.core.models import Case, TimelineEvent
from cases.core.selectors import case_timeline
from cases.core.services import RevealField, RevealReason
from cases.core.states import Outcome, Status
from cases.core.timeline import label_for
from cases.documents.registry import Viewer, documents_for
from cases.intake.forms import AttachmentUploadForm
from cases.intake.selectors import intake_section
from cases.lifecycle.selectors import actions_for, lifecycle_of
from cases.portal.selectors import conversation_section, identity_section
from cases.warnings.selectors import case_warning_summary
from routing.selectors import routing_section

TIMELINE_PAGE = 50


def case_page_queryset() -> QuerySet[Case]:
    """The case row for the page, with what its sections read from it."""
    return Case.objects.select_related("dispute_type", "center", "origin_center", "channel").prefetch_related(
        case_assignments_prefetch()  # read by the lifecycle and the routing sections
    )


def _timeline_item(event: TimelineEvent) -> dict:
    # The times written here rather than by two ``|date`` filters per row (the filters cost ~2 ms on 50 rows);
    # the same values: the current time zone, ISO 8601 for the attribute.
    at = timezone.localtime(event.created_at)
    return {
        "event": event,
        "label": label_for(event.type),
        "iso": at.isoformat(),
        "at": at.strftime("%Y-%m-%d %H:%M"),
    }


def case_page(case: Case, user: User, *, full_timeline: bool = False) -> dict:
    """The template context of the case page of ``case`` (from ``case_page_queryset``, visible to ``user``)."""
    writable = can_change(user, case)
    lifecycle = lifecycle_of(case)
    actions = actions_for(user, case, lifecycle)
    parties = list(case.parties.all())
    # The documents and the evidence sections both list them.
    attachments = list(case.attachments.select_related("uploaded_by"))
    # A long-running case can carry hundreds of events; the page shows the newest ones unless asked.
    timeline = case_timeline(case)
    if not full_timeline:
        timeline = timeline[: TIMELINE_PAGE + 1]
    events = [_timeline_item(event) for event in timeline]
    timeline_truncated = not full_timeline and len(events) > TIMELINE_PAGE
    intake = intake_section(case, attachments=attachments, can_upload=writable)
    return {
        "case": case,
        "parties": parties,
        "attachments": attachments,
        "events": events[:TIMELINE_PAGE] if timeline_truncated else events,
        "timeline_truncated": timeline_truncated,
        "can_change": writable,
        # The reveal form on each party's card (shown to those who may change the case).
        "reveal_fields": RevealField.choices,
        "reveal_reasons": RevealReason.choices,
        "lifecycle": lifecycle,
        "actions": actions,
        "documents": documents_for(case, Viewer.STAFF, lifecycle=lifecycle),
        "outcome_label": Outcome(case.outcome).label if case.outcome in Outcome.values else "",
        "waiting_for_evaluation": case.status == Status.CONCLUDED
        and case.center.require_evaluation
        and "evaluate" not in actions,
        # The sections of the other sub-domains, each built by its own selector.
        "routing": routing_section(case, user, writable=writable),
        "intake": intake,
        "upload_form": AttachmentUploadForm() if intake.can_upload else None,
        "conversation": conversation_section(case, can_post=writable),
        "identity": identity_section(case, user, parties=parties),
        "warning_summary": case_warning_summary(case, user),
    }
