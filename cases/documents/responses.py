"""How a document download answers: the PDF inline, or 404 when the case does not hold it, or the page that
says why the PDF cannot be made (too large, or the render timed out)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cases.core.models import Case

from .pdf import DocumentRenderFailed
from .registry import Document, DocumentNotAvailable, Viewer


def render_failed_response(request: HttpRequest, exc: DocumentRenderFailed) -> HttpResponse:
    response = render(
        request, "cases/documents/render_failed.html", {"message": exc.message}, status=exc.http_status
    )
    if exc.http_status == 503:
        response["Retry-After"] = "60"
    return response


def document_response(
    request: HttpRequest, case: Case, document: Document | None, viewer: Viewer
) -> HttpResponse:
    """The PDF of ``document`` (from ``document_for``, so None when not available: 404), never cached."""
    if document is None:
        raise Http404
    try:
        content = document.render_for(case, viewer)
    except DocumentNotAvailable as exc:  # changed between the registry's answer and the render
        raise Http404(str(exc.message)) from exc
    except DocumentRenderFailed as exc:
        response = render_failed_response(request, exc)
    else:
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{document.filename(case, viewer)}"'
    response["Cache-Control"] = "private, no-store"
    return response
