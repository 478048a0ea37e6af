"""Staff downloads of a case's documents: one view for every kind the registry holds."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from cases.core.access import get_case_for_user
from cases.core.models import Case

from .registry import Viewer, document_for
from .responses import document_response


@login_required
@require_GET
def download(request, pk: int, kind: str):
    """A document's PDF for staff who may see the case (404 otherwise, and for one the case does not hold).
    Views are not atomic: the PDF is rendered with no transaction open."""
    case = get_case_for_user(
        request.user, pk, queryset=Case.objects.select_related("center", "origin_center", "dispute_type")
    )
    return document_response(request, case, document_for(case, Viewer.STAFF, kind), Viewer.STAFF)
