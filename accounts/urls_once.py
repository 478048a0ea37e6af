"""URLs and static paths the staff shell draws on every page, worked out once per process.

The shell (base.html, the sidebar's entries) reversed ~17 URL names and resolved 6 static paths per
page, each the same string every time. ``reverse_once`` and ``static_once`` remember them per URL
configuration, script prefix and language (nothing here is language-prefixed today, but a language
prefix would then stay right); a settings change that moves them (tests' ``override_settings``) forgets
them. An argument-free reversal only: anything with arguments still goes through ``reverse``.
"""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_reversed: dict[tuple, str | None] = {}
_static: dict[str, str] = {}
# Bumped when a setting that moves URLs or translations changes: the ``{% once %}`` fragments' key.
generation = [0]


def fragment_key() -> tuple:
    """What a ``{% once %}`` fragment (accounts/templatetags/navigation.py) may depend on."""
    return (generation[0], get_urlconf(), get_script_prefix(), get_language())


def reverse_once(name: str) -> str:
    """``reverse(name)``, remembered; a name that does not reverse raises ``NoReverseMatch`` each time, as
    ``reverse`` does, and nothing is remembered for it."""
    key = (name, get_urlconf(), get_script_prefix(), get_language())
    url = _reversed.get(key)
    if url is None:
        url = _reversed[key] = reverse(name)
    return url


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
