from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediatorsConfig(AppConfig):
    name = "mediators"
    verbose_name = _("调解专家库")

    def ready(self) -> None:
        from . import events  # noqa: F401  (the timeline's registry must know our event types)
