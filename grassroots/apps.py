from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrassrootsConfig(AppConfig):
    name = "grassroots"
    verbose_name = _("基层随手调")

    def ready(self) -> None:
        from . import events  # noqa: F401  (registers the event types)
