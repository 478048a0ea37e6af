from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnlineConfig(AppConfig):
    name = "online"
    verbose_name = _("在线调解")

    def ready(self) -> None:
        from online import events  # noqa: F401  registers the app's timeline event types
