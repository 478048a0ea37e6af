"""What the online application offers on behalf of other apps, through modules named in settings: the choice
of a mediator or studio (``APPLICATION_PREFERENCE``, the mediator library's ``mediators.application``) and the
consent to electronic service (``APPLICATION_SERVICE_CONSENT``, ``eservice.application``). cases cannot import
those apps, and a deployment without them shows neither."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from django.conf import settings


def provider() -> ModuleType | None:
    name = getattr(settings, "APPLICATION_PREFERENCE", "")
    return import_module(name) if name else None


def service_consent() -> ModuleType | None:
    """The module recording a consent to electronic service given on the application (settings
    ``APPLICATION_SERVICE_CONSENT``: the e-service app's ``eservice.application``), or None."""
    name = getattr(settings, "APPLICATION_SERVICE_CONSENT", "")
    return import_module(name) if name else None
