"""Limits on what a request to the API may be, checked before anything parses it.

A body limit checked from ``Content-Length`` before the body is read, and a JSON parser that measures
nesting before ``json.loads`` recurses. Apart from mediation_center/api.py because DRF imports the parser
while it builds its settings, before the API views exist.
"""

import re
from array import array
from itertools import accumulate

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status
from rest_framework.utils import json

from mediation_center.errors import error_body

API_PREFIX = "/api/"
# GeoReport v2's paths answer errors as the standard's list of {code, description} (cases/intake/open311.py).
OPEN311_PREFIX = API_PREFIX + "open311/v2/"


def is_open311_path(request) -> bool:
    return request.path_info.startswith(OPEN311_PREFIX)


def _messages(field: str, value):
    """(field path, message) pairs from a DRF error detail, nested lists and dicts flattened."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _messages(f"{field}.{key}" if field else str(key), item)
    elif isinstance(value, list):
        nested = any(isinstance(item, (dict, list)) for item in value)
        for index, item in enumerate(value):
            yield from _messages(f"{field}[{index}]" if nested else field, item)
    elif value not in (None, ""):
        yield field, str(value)


def standard_errors(status_code: int, data) -> list[dict]:
    """The standard's error list from the project's error body (``{"error": {"code", "message", "fields"}}``):
    one item for the message, one per field message ("field: message"); each item also keeps the project's
    error code (``error_code``) and the field (``field``), which a GeoReport client may ignore."""
    if isinstance(data, list):
        return data
    error = data.get("error", {}) if isinstance(data, dict) else {}
    code = error.get("code", "")
    items = [{"code": status_code, "description": str(error.get("message") or data), "error_code": code}]
    for field, message in _messages("", error.get("fields") or {}):
        items.append(
            {"code": status_code, "description": f"{field}: {message}", "error_code": code, "field": field}
        )
    return items


def standard_errors_xml(items: list[dict]) -> bytes:
    body = "".join(
        f"<error><code>{item['code']}</code><description>{escape(item['description'])}</description></error>"
        for item in items
    )
    return f'<?xml version="1.0" encoding="utf-8"?><errors>{body}</errors>'.encode()


def is_api_path(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def error_response(code: str, message: str, status_code: int, request=None) -> HttpResponse:
    """The error shape as a plain Django response, for answers given outside DRF's views (on GeoReport's
    paths, the standard's error list, in XML for an ``.xml`` path)."""
    if request is not None and is_open311_path(request):
        items = standard_errors(status_code, error_body(code, message))
        if request.path_info.endswith(".xml"):
            return HttpResponse(
                standard_errors_xml(items), status=status_code, content_type="text/xml; charset=utf-8"
            )
        return JsonResponse(items, safe=False, status=status_code, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(
        error_body(code, message), status=status_code, json_dumps_params={"ensure_ascii": False}
    )


# --- Limits --------------------------------------------------------------------------------


def _size(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MB"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} KB"
    return f"{limit} B"


def body_too_large_message(limit: int) -> str:
    return _("请求体过大：本接口最多接受 %(limit)s（%(bytes)s 字节）。") % {
        "limit": _size(limit),
        "bytes": limit,
    }


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, limit: int, message: str | None = None):
        super().__init__(message or body_too_large_message(limit), self.default_code)


class NestedTooDeep(exceptions.ParseError):
    default_code = "too_deep"


# A JSON string token: quote, then runs of ordinary characters or escapes, then quote. Written without
# nested repetition so that a long string costs linear time. Scanned as UTF-8 bytes: no byte of a
# multi-byte character is a quote, a backslash or a bracket, and bytes.translate works in C.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
# Each bracket as a signed byte, +1 opening and -1 closing, so that the running depth is a C-level sum.
_BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than ``limit``; iterative, so any input is safe.

    Only valid JSON matters here: in it every quote outside a string opens one, so stripping the string
    tokens left to right leaves exactly the structural brackets. Malformed text is refused by json.loads.
    """
    outside_strings = _JSON_STRING.sub(b"", text.encode("utf-8", "surrogatepass"))
    brackets = outside_strings.translate(None, delete=_NOT_BRACKETS)
    steps = array("b", brackets.translate(_BRACKET_STEPS))
    return max(accumulate(steps), default=0) > limit


class BoundedJSONParser(parsers.JSONParser):
    """DRF's JSON parser with a capped read and a nesting limit checked before ``json.loads``.

    The C scanner of ``json.loads`` recurses once per bracket, so ``[`` × 100000 ends in RecursionError
    before any object hook runs; the depth is therefore measured on the text first.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(limit)
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(
                _("请求体不是 %(encoding)s 编码的文本。") % {"encoding": encoding}
            ) from exc
        depth = settings.API_MAX_JSON_DEPTH
        if json_depth_exceeds(text, depth):
            raise NestedTooDeep(_("JSON 嵌套过深：最多允许 %(depth)s 层数组或对象。") % {"depth": depth})
        parse_constant = json.strict_constant if self.strict else None
        try:
            data = json.loads(text, parse_constant=parse_constant)
        except ValueError as exc:
            position = getattr(exc, "lineno", None)
            if position is None:
                raise exceptions.ParseError(_("请求体不是有效的 JSON。")) from exc
            raise exceptions.ParseError(
                _("请求体不是有效的 JSON：第 %(line)s 行第 %(column)s 列附近有误。")
                % {"line": exc.lineno, "column": exc.colno}
            ) from exc
        refuse_unstorable_text(data)
        return data


# U+0000 and unpaired surrogates (only reachable through \u escapes) are never text a person typed, and
# neither PostgreSQL (text, jsonb) nor a UTF-8 encoder takes them: stored, they end in a 500.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def refuse_unstorable_text(data) -> None:
    """Raise a 400 if any key or string in parsed JSON holds U+0000 or an unpaired surrogate."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str) and _UNSTORABLE.search(value):
            raise exceptions.ParseError(
                _("请求体含有不能保存的字符（空字符 U+0000 或不成对的 UTF-16 代理项），请删除后重试。"),
                "unstorable_character",
            )


class ApiBodyLimitMiddleware:
    """Refuses an over-limit API body from its ``Content-Length``, before anything reads it.

    Django reads no more than ``Content-Length`` bytes of a request (a body without one reads as empty),
    so this bounds every parser, the JSON one, forms and multipart alike.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api_path(request):
            refused = self.refuse(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    @staticmethod
    def refuse(request) -> JsonResponse | None:
        header = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(header)
        except ValueError:
            length = -1
        if length < 0:
            message = _("请求头 Content-Length 无效，应为非负整数。")
            return error_response("invalid_content_length", message, status.HTTP_400_BAD_REQUEST, request)
        if not length and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            # Django reads a body without Content-Length as empty: say so rather than answer as if the
            # client had sent nothing.
            message = _("请求须带 Content-Length 请求头，不接受分块传输（chunked）的请求体。")
            return error_response("length_required", message, status.HTTP_411_LENGTH_REQUIRED, request)
        limit = settings.API_MAX_BODY_BYTES
        if length > limit:
            message = body_too_large_message(limit)
            return error_response(
                RequestTooLarge.default_code, message, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, request
            )
        return None
