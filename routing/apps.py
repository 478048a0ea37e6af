from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = _("分流与指派")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .rules import connect_rule_signals
        from .seed import seed_reference_data

        connect_rule_signals()

        post_migrate.connect(seed_reference_data, sender=self)
