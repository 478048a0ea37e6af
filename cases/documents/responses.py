"""The page a document download answers when the PDF cannot be made (too large, or the render timed out)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .pdf import DocumentRenderFailed


def render_failed_response(request: HttpRequest, exc: DocumentRenderFailed) -> HttpResponse:
    response = render(
        request, "cases/documents/render_failed.html", {"message": exc.message}, status=exc.http_status
    )
    if exc.http_status == 503:
        response["Retry-After"] = "60"
    return response
