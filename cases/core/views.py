from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.core.access import can_change, get_case_for_user
from cases.core.assignments import case_assignments_prefetch
from cases.core.models import Case
from cases.core.selectors import case_list_for, case_timeline
from cases.core.states import Outcome, Status
from cases.core.timeline import label_for
from cases.documents.registry import Viewer, documents_for
from cases.lifecycle.selectors import actions_for, lifecycle_of


@login_required
@require_GET
def case_list(request):
    cases = case_list_for(request.user)
    status = request.GET.get("status", "")
    if status:
        cases = cases.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        cases = cases.filter(number__icontains=query)
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/core/list.html",
        {"page": page, "statuses": Status.choices, "status": status, "q": query},
    )


TIMELINE_PAGE = 50


def _timeline_item(event) -> dict:
    # The times written here rather than by two ``|date`` filters per row (the filters cost ~2 ms on 50 rows);
    # the same values: the current time zone, ISO 8601 for the attribute.
    at = timezone.localtime(event.created_at)
    return {
        "event": event,
        "label": label_for(event.type),
        "iso": at.isoformat(),
        "at": at.strftime("%Y-%m-%d %H:%M"),
    }


@login_required
@require_GET
def case_detail(request, pk: int):
    """Everything about a case on one screen; the actions shown are exactly those the user may take."""
    case = get_case_for_user(
        request.user,
        pk,
        queryset=Case.objects.select_related(
            "dispute_type", "center", "origin_center", "channel"
        ).prefetch_related(
            case_assignments_prefetch()  # read by the lifecycle and the routing sections
        ),
    )
    lifecycle = lifecycle_of(case)
    actions = actions_for(request.user, case, lifecycle)
    # A long-running case can carry hundreds of events; the page shows the newest ones unless asked.
    show_all = request.GET.get("timeline") == "all"
    timeline = case_timeline(case)
    if not show_all:
        timeline = timeline[: TIMELINE_PAGE + 1]
    events = [_timeline_item(event) for event in timeline]
    timeline_truncated = not show_all and len(events) > TIMELINE_PAGE
    events = events[:TIMELINE_PAGE] if timeline_truncated else events
    return render(
        request,
        "cases/core/detail.html",
        {
            "case": case,
            "parties": case.parties.all(),
            # The documents and the evidence sections both list them.
            "attachments": list(case.attachments.select_related("uploaded_by")),
            "events": events,
            "timeline_truncated": timeline_truncated,
            "can_change": can_change(request.user, case),
            "lifecycle": lifecycle,
            "actions": actions,
            "documents": documents_for(case, Viewer.STAFF, lifecycle=lifecycle),
            "outcome_label": Outcome(case.outcome).label if case.outcome in Outcome.values else "",
            "waiting_for_evaluation": case.status == Status.CONCLUDED
            and case.center.require_evaluation
            and "evaluate" not in actions,
        },
    )
