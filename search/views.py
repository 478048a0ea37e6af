"""Staff pages of the search: the result page behind the top bar's box (``/cases/search/``, through
settings.CASE_SEARCH_VIEW) and the similar cases of a case page, loaded into it by htmx."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases.core.access import get_case_for_user, is_staff_user
from cases.core.workcalendar import one_reference_version
from search.forms import SearchForm
from search.selectors import SearchResults, search_cases
from search.similar import similar_cases


def search_page(request):
    """The top bar's search over the cases the user may see (400 with the reason for a bad filter)."""
    form = SearchForm(request.GET or None, user=request.user)
    results = None
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound and is_staff_user(request.user):
        data = form.cleaned_data
        results = search_cases(request.user, data["q"], filters=form.filters(), page=data.get("page") or 1)
    elif form.is_bound:
        results = SearchResults(query=form.cleaned_data["q"], words=[])
    params = request.GET.copy()
    params.pop("page", None)
    with one_reference_version():
        options = form.options()
    context = {"form": form, "results": results, "q": request.GET.get("q", "")[:100], "params": params.urlencode()}
    return render(request, "search/search.html", {**context, **options}, status=status)


@login_required
@require_GET
def similar_section(request, pk: int):
    """The case page's similar-cases card (htmx): 404 for a case the user may not see."""
    if not is_staff_user(request.user):
        raise Http404
    case = get_case_for_user(request.user, pk)
    return render(
        request, "search/_similar.html", {"case": case, "similar": similar_cases(request.user, case)}
    )
