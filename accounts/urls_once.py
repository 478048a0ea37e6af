"""URLs and static paths the staff shell draws on every page, worked out once per process.

The shell (base.html, the sidebar's entries) reversed ~17 URL names and resolved 6 static paths per
page, each the same string every time. ``reverse_once`` and ``static_once`` remember them per URL
configuration, script prefix and language (nothing here is language-prefixed today, but a language
prefix would then stay right); a settings change that moves them (tests' ``override_settings``) forgets
them. A reversal of no argument or of one: the one-argument address is reversed once with a marker in the
argument's place and split there; an argument of letters, digits and ``-._~:`` (ids, tracking codes, signed
tokens) is left as it is by ``reverse``'s quoting and matches any ``<str:…>`` part, so it is put in directly,
and any other goes through ``reverse`` itself.
"""

import re

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_reversed: dict[tuple, str | tuple[str, str]] = {}
_MARKER = "reverseoncemarker7f3a"
_PLAIN = re.compile(r"[A-Za-z0-9._~:-]+")
_static: dict[str, str] = {}
# Bumped when a setting that moves URLs or translations changes: the ``{% once %}`` fragments' key.
generation = [0]


def fragment_key() -> tuple:
    """What a ``{% once %}`` fragment (accounts/templatetags/navigation.py) may depend on."""
    return (generation[0], get_urlconf(), get_script_prefix(), get_language())


def reverse_once(name: str, arg: str | int | None = None) -> str:
    """``reverse(name)`` or ``reverse(name, args=[arg])``, remembered; a name that does not reverse raises
    ``NoReverseMatch`` each time, as ``reverse`` does, and nothing is remembered for it."""
    key = (name, arg is None, get_urlconf(), get_script_prefix(), get_language())
    found = _reversed.get(key)
    if found is None:
        if arg is None:
            found = _reversed[key] = reverse(name)
        else:
            try:
                found = _reversed[key] = tuple(reverse(name, args=[_MARKER]).split(_MARKER))
            except NoReverseMatch:  # an argument of another kind (``<int:…>``): each reversed in full
                return reverse(name, args=[arg])
    if arg is None:
        return found
    arg = str(arg)
    if len(found) != 2 or not _PLAIN.fullmatch(arg):
        return reverse(name, args=[arg])
    return f"{found[0]}{arg}{found[1]}"


def static_once(path: str) -> str:
    """``{% static path %}``, remembered (the storage's URL of a path does not change while the process runs)."""
    url = _static.get(path)
    if url is None:
        url = _static[path] = static(path)
    return url


@receiver(setting_changed)
def _forget(setting, **kwargs) -> None:
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME", "STATIC_URL", "STORAGES", "STATICFILES_STORAGE",
                   "LANGUAGES", "LANGUAGE_CODE", "INSTALLED_APPS"}:
        _reversed.clear()
        _static.clear()
        generation[0] += 1
