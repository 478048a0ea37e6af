"""The portal's page shell for an anonymous visitor (``cases/portal/base.html``: the top bar, the services'
menu, the footer), rendered once per process for each language and address, the page's own content put in.

Through the template engine the shell cost ~1 ms of CPU per page (a dozen URL reversals, the language form,
twenty translated labels, the context processors), twice the status lookup's SQL. What it shows a visitor
who is not signed in and has no message waiting depends only on the language, the script prefix, the
address (the language form's ``next``, the menu's active item), the title and the CSRF token: it is rendered
with markers for the token and the content, split there once, and joined with this request's token (the
same ``get_token`` the ``{% csrf_token %}`` tag calls, so the cookie is set as before) and content. Anyone
else (signed in, a message waiting, a query string, DEBUG where templates change under a running process)
gets the template rendered in full; ``tests/portal/test_status_page_bytes.py`` compares both with the
page the status lookup rendered before.
"""

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

SHELL = "cases/portal/_shell.html"
_TOKEN = "portalshellcsrftoken7f3a"  # letters and digits: nothing the template escapes
_CONTENT = "portalshellcontent7f3a"
_MAX = 64  # addresses × languages of the pages that use it: a handful; a bound all the same

_shells: dict[tuple, tuple[list[str], list[str]]] = {}


def _clear(**kwargs) -> None:
    _shells.clear()  # a test's override_settings (languages, static storage, …) changes what the shell shows


setting_changed.connect(_clear)


def _cacheable(request: HttpRequest) -> bool:
    return (
        not settings.DEBUG
        and not request.META.get("QUERY_STRING")
        and not request.user.is_authenticated
        and not len(get_messages(request))  # (len does not mark them read, as the template's {% if %})
    )


def _split(request: HttpRequest, title: str) -> tuple[list[str], list[str]]:
    match = request.resolver_match
    key = (
        get_language(),
        get_script_prefix(),
        request.get_full_path(),
        match.namespace if match else None,
        match.url_name if match else None,
        title,
    )
    shell = _shells.get(key)
    if shell is None:
        html = render_to_string(
            SHELL, {"shell_title": title, "shell_content": _CONTENT, "csrf_token": _TOKEN}, request
        )
        head, tail = html.split(_CONTENT)
        shell = head.split(_TOKEN), tail.split(_TOKEN)
        if len(_shells) >= _MAX:
            _shells.clear()
        _shells[key] = shell
    return shell


def portal_page(request: HttpRequest, *, title: str, content: SafeString, status: int = 200) -> HttpResponse:
    """``content`` (escaped HTML) in the portal's shell under ``title``, as a template that extends
    ``cases/portal/base.html`` with those two blocks renders it."""
    if not _cacheable(request):
        html = render_to_string(SHELL, {"shell_title": title, "shell_content": content}, request)
        return HttpResponse(html, status=status)
    head, tail = _split(request, str(title))
    token = get_token(request)
    return HttpResponse(f"{token.join(head)}{conditional_escape(content)}{token.join(tail)}", status=status)
