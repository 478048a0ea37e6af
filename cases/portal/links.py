"""``reverse`` for the portal's fixed links, worked out once per process, URL configuration and script prefix.

Django's ``reverse`` walks the namespaces, matches the pattern's regex and quotes the result on every call
(~25 µs each; the status lookup's page asks for four). A link of no argument is the same string every time; a
link of one argument is the same string around it: reversed once with a marker in its place and split there.
An argument of letters, digits and ``-._~:`` (tracking codes, signed tokens) is left as it is by
``reverse``'s quoting and matches any ``<str:…>`` part, so it is put in directly; any other goes through
``reverse`` itself.
"""

import re

from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse

_MARKER = "portallinkmarker7f3a"
_PLAIN = re.compile(r"[A-Za-z0-9._~:-]+")
_links: dict[tuple, object] = {}


def _clear(**kwargs) -> None:
    _links.clear()  # a test's override_settings (ROOT_URLCONF, …) changes the addresses


setting_changed.connect(_clear)


def link(name: str, arg: str | None = None) -> str:
    """``reverse(name)``, or ``reverse(name, args=[arg])`` for a link of one argument."""
    key = (name, arg is None, get_urlconf(), get_script_prefix())
    found = _links.get(key)
    if found is None:
        if arg is None:
            found = reverse(name)
        else:
            head, tail = reverse(name, args=[_MARKER]).split(_MARKER)
            found = (head, tail)
        if len(_links) >= 256:
            _links.clear()
        _links[key] = found
    if arg is None:
        return found
    if not _PLAIN.fullmatch(arg):
        return reverse(name, args=[arg])
    return f"{found[0]}{arg}{found[1]}"
