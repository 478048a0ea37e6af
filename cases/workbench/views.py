from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases.core.access import is_staff_user
from cases.core.selectors import SEARCH_LIMIT, search_cases


@login_required
@require_GET
def search(request):
    """The top bar's search: case number, tracking code or party name, over the cases the user may see."""
    query = request.GET.get("q", "").strip()[:100]
    cases = search_cases(request.user, query) if is_staff_user(request.user) else []
    return render(
        request,
        "cases/workbench/search.html",
        {"q": query, "cases": cases, "limit": SEARCH_LIMIT, "capped": len(cases) >= SEARCH_LIMIT},
    )
