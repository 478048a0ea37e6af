from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET

from accounts.access import current_membership
from cases.core.access import is_staff_user

from .counts import forget_work_counts


@login_required
@require_GET
def search(request):
    """The top bar's search over the cases the user may see: the page of settings.CASE_SEARCH_VIEW (the search
    app's full-text and exact search; cases cannot import it)."""
    return import_string(settings.CASE_SEARCH_VIEW)(request)


@login_required
@require_GET
def badges(request):
    """The navigation's count badges and the bell, read afresh, as out-of-band swaps (htmx): what the page
    fetches after an in-place action (static/js/counts.js), at the counts' own fixed query budget. The
    cached figures are dropped first, so the page's context (cases.workbench.context_processors) reads them
    again and caches them anew."""
    if not is_staff_user(request.user):
        raise Http404
    membership = current_membership(request)
    forget_work_counts(request.user, membership.center if membership else None)
    return render(request, "partials/work_badges.html")
