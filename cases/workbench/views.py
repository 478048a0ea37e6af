from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET


@login_required
@require_GET
def search(request):
    """The top bar's search over the cases the user may see: the page of settings.CASE_SEARCH_VIEW (the search
    app's full-text and exact search; cases cannot import it)."""
    return import_string(settings.CASE_SEARCH_VIEW)(request)
