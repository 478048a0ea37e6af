from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.core.access import get_case_for_user
from cases.core.models import WarningLevel
from cases.core.selectors import case_list_for
from cases.core.states import OPEN_STATUSES, Status
from cases.page import case_page, case_page_queryset


@login_required
@require_GET
def case_list(request):
    cases = case_list_for(request.user)
    status = request.GET.get("status", "")
    if status in Status.values:
        cases = cases.filter(status=status)
    else:
        status = ""
    # The navigation's 红橙预警 (level=3: orange and above) and 超期 entries land here with these filters.
    level = request.GET.get("level", "")
    if level in {"1", "2", "3", "4"}:
        cases = cases.filter(warning_level__gte=int(level), status__in=OPEN_STATUSES)
    else:
        level = ""
    overdue = request.GET.get("overdue") == "1"
    if overdue:
        cases = cases.filter(due_at__lt=timezone.now(), status__in=OPEN_STATUSES)
    query = request.GET.get("q", "").strip()
    if query:
        cases = cases.filter(number__icontains=query)
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/core/list.html",
        {
            "page": page,
            "statuses": Status.choices,
            "status": status,
            "q": query,
            "level": level,
            "levels": WarningLevel.choices,
            "overdue": overdue,
        },
    )


@login_required
@require_GET
def case_detail(request, pk: int):
    """Everything about a case on one screen; the actions shown are exactly those the user may take."""
    case = get_case_for_user(request.user, pk, queryset=case_page_queryset())
    context = case_page(case, request.user, full_timeline=request.GET.get("timeline") == "all")
    return render(request, "cases/core/detail.html", context)
