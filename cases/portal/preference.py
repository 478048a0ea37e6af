"""The online application's optional choice of a mediator or studio, through the module named by settings
``APPLICATION_PREFERENCE`` (the mediator library's ``mediators.application``): cases cannot import the library,
and a deployment without it shows no choice."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from django.conf import settings


def provider() -> ModuleType | None:
    name = getattr(settings, "APPLICATION_PREFERENCE", "")
    return import_module(name) if name else None
