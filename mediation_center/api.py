"""One JSON error shape for the whole API: {"error": {"code", "message", "fields"}}.

DRF's exceptions, Django's upload limits and Django's own error views (a path no route matches, an
unhandled exception) all answer in it under ``/api/`` — never with an HTML page. The limits on bodies
live in mediation_center/api_limits.py.
"""

import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template import engines
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from mediation_center.api_limits import RequestTooLarge, body_too_large_message, error_response, is_api_path
from mediation_center.errors import DomainError, error_body

__all__ = ["error_body", "exception_handler"]

# --- Errors -------------------------------------------------------------------------------


def _unsupported_media_type(exc: exceptions.UnsupportedMediaType, context) -> str:
    view = context.get("view")
    parser_classes = getattr(view, "parser_classes", None) or api_settings.DEFAULT_PARSER_CLASSES
    accepted = "、".join(parser.media_type for parser in parser_classes)
    content_type = context["request"].content_type if context.get("request") else ""
    return _("不支持的请求内容类型“%(type)s”，请使用 %(accepted)s。") % {
        "type": content_type.split(";")[0],
        "accepted": accepted,
    }


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message), status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = "; ".join(exc.messages)
        return Response(error_body("invalid", message, fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        # Django's own cap (DATA_UPLOAD_MAX_MEMORY_SIZE) refused the body while it was being read.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            error_body(RequestTooLarge.default_code, body_too_large_message(limit)),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent):
        message = _("表单字段过多：最多 %(limit)s 个。") % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
        return Response(error_body("too_many_fields", message), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, SuspiciousOperation):
        return Response(error_body("bad_request", _("请求无效。")), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body("invalid", "输入有误 / Invalid input", detail)
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        response.data = error_body("unsupported_media_type", _unsupported_media_type(exc, context))
    else:
        code = getattr(exc.detail, "code", None) or getattr(exc, "default_code", "error")
        detail = getattr(exc, "detail", str(exc))
        response.data = error_body(str(code), str(detail))
    return response


# --- Django's error views: JSON under /api/, the usual pages elsewhere -------------------------
# Installed as handler400/403/404/500 in mediation_center/urls.py. They answer what DRF never sees:
# a path no route matches (/api/cases/abc/), and an exception DRF does not handle (a bug: 500).


def bad_request(request, exception):
    if is_api_path(request):
        return error_response("bad_request", _("请求无效。"), status.HTTP_400_BAD_REQUEST, request)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api_path(request):
        message = _("您没有执行该操作的权限。")
        return error_response("permission_denied", message, status.HTTP_403_FORBIDDEN, request)
    return _forbidden_page(request, exception)


def _forbidden_page(request, exception) -> HttpResponse:
    """A page the user may see exists but is not theirs to use: say why and what to do (403.html). The
    reason is the ``PermissionDenied`` message when the code gave one (a translated sentence), else a
    general one. Hidden things answer 404 instead, as before."""
    reason = str(exception) if isinstance(exception, PermissionDenied) and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=status.HTTP_403_FORBIDDEN)


def page_not_found(request, exception):
    if is_api_path(request):
        message = _("未找到该地址：请检查路径，路径中的编号须为数字。")
        return error_response("not_found", message, status.HTTP_404_NOT_FOUND, request)
    # A Chinese page that says what may have happened and where to go: the portal's for citizens' paths.
    template = "cases/portal/404.html" if request.path.startswith("/portal/") else "404.html"
    try:
        return render(request, template, {"request_path": request.path}, status=404)
    except Exception:  # a page that cannot render (e.g. its context needs the database): Django's plain one
        return defaults.page_not_found(request, exception)


def _database_down() -> bool:
    """Called inside Django's exception handling: is the exception being handled a lost database?"""
    exc = sys.exc_info()[1]
    return isinstance(exc, (OperationalError, InterfaceError))


# Rendered without the request's context processors (they read the database that is down) and with no
# template inheritance from base.html (its navigation does too).
_OUTAGE_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem">
<h1>{{ title }}</h1>
<p role="alert" data-testid="database-down">{{ message }}</p>
{% if fields %}
<form method="post" action="{{ action }}" data-testid="resubmit">
{% for name, value in fields %}<input type="hidden" name="{{ name }}" value="{{ value }}">
{% endfor %}
<table>{% for name, value in shown %}<tr><th style="text-align: left">{{ name }}</th><td>{{ value }}</td></tr>
{% endfor %}</table>
<p><button type="submit">{{ resubmit }}</button></p>
</form>
{% endif %}
</body></html>"""


def _database_down_response(request) -> HttpResponse:
    """503 when the database cannot be reached: a staff or citizen form comes back with everything that was
    typed (as a form to submit again once the service is back; chosen files must be chosen again)."""
    if is_api_path(request):
        message = _("数据库暂时无法连接，本次请求未保存，请稍后重试。")
        return error_response("service_unavailable", message, status.HTTP_503_SERVICE_UNAVAILABLE)
    fields = []
    if request.method == "POST":
        try:
            fields = [(name, value) for name, values in request.POST.lists() for value in values]
        except Exception:  # noqa: BLE001 - an unreadable body: the message alone is still the truth
            fields = []
    if fields:
        message = _(
            "数据库暂时无法连接，本次提交未保存。您填写的内容保留在下方，服务恢复后点击“重新提交”即可"
            "（已选择的文件需重新选择）。"
        )
    else:
        message = _("数据库暂时无法连接，请稍后刷新页面重试。")
    shown = [(name, value) for name, value in fields if name != "csrfmiddlewaretoken" and value]
    html = (
        engines["django"]
        .from_string(_OUTAGE_PAGE)
        .render(
            {
                "title": _("服务暂时不可用"),
                "resubmit": _("重新提交"),
                "message": message,
                "fields": fields,
                "shown": shown,
                "action": request.get_full_path(),
            }
        )
    )
    response = HttpResponse(html, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    response["Retry-After"] = "30"
    return response


def server_error(request):
    if _database_down():
        return _database_down_response(request)
    if is_api_path(request):
        message = _("服务器内部错误，已记录，请稍后重试；如一再出现请联系管理员。")
        return error_response("server_error", message, status.HTTP_500_INTERNAL_SERVER_ERROR, request)
    return defaults.server_error(request)
