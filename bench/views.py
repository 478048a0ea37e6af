"""The floor to compare against: the whole middleware stack, one indexed row read, a tiny response."""

from django.http import Http404, HttpResponse
from django.utils.html import escape
from django.views.decorators.http import require_GET

from cases.core.models import Case


@require_GET
def one_row(request, pk: int):
    number = Case.objects.filter(pk=pk).values_list("number", flat=True).first()
    if number is None:
        raise Http404
    return HttpResponse(f"<!DOCTYPE html><title>one row</title><p>{escape(number)}</p>")
