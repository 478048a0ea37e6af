"""Django's per-request state (the active language and time zone, the script prefix, the URLconf) in plain
context variables.

Django keeps these in ``asgiref.local.Local`` objects, whose every read takes a lock and builds a context
manager: about 2 µs where a ``ContextVar`` read takes 0.1. A staff page reads them some 400 times (each
``gettext``, each localized number or date, each ``reverse``): ≈ 1 ms of a case page's 10 ms of Python
(bench/README.md, "Prepared reads and plain locals"). ``install()`` (run once at start-up by
``mediation_center.apps.AdminConfig.ready``) puts a ``ContextLocal`` in their place. It behaves as the
``Local`` it replaces does on Python 3.11 for what this project runs: each thread starts empty (a new
thread's context is empty), a value set in a request's thread stays in that thread, and asgiref's
``sync_to_async`` / ``async_to_sync`` carry it as they carry any context variable. Where Django replaces
one again (a test that changes ``LANGUAGES``, the development reloader after a ``.mo`` change) the stock
``Local`` simply comes back: slower, not different.
"""

from __future__ import annotations

import contextvars
from types import MappingProxyType

_EMPTY = MappingProxyType({})


class ContextLocal:
    """An object whose attributes live in a context variable (one per instance)."""

    __slots__ = ("_var",)

    def __init__(self, name: str = "mediation_center.local"):
        object.__setattr__(self, "_var", contextvars.ContextVar(name))

    def __getattr__(self, key):
        try:
            return self._var.get(_EMPTY)[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key, value):
        data = dict(self._var.get(_EMPTY))
        data[key] = value
        self._var.set(data)

    def __delattr__(self, key):
        data = dict(self._var.get(_EMPTY))
        if key not in data:
            raise AttributeError(key)
        del data[key]
        self._var.set(data)


# (module, attribute) of each asgiref Local replaced, and the attributes Django keeps in it.
REPLACED = (
    ("django.utils.translation.trans_real", "_active", ("value",)),
    ("django.utils.timezone", "_active", ("value",)),
    ("django.urls.base", "_prefixes", ("value",)),
    ("django.urls.base", "_urlconfs", ("value",)),
)


def install() -> list[str]:
    """Replace Django's Locals (keeping the current thread's values); the names replaced."""
    import importlib

    from asgiref.local import Local

    done = []
    for module_name, attribute, keys in REPLACED:
        module = importlib.import_module(module_name)
        current = getattr(module, attribute, None)
        if not isinstance(current, Local):
            continue  # replaced already, or a Django that keeps it elsewhere
        replacement = ContextLocal(f"{module_name}.{attribute}")
        for key in keys:
            if hasattr(current, key):
                setattr(replacement, key, getattr(current, key))
        setattr(module, attribute, replacement)
        done.append(f"{module_name}.{attribute}")
    return done
