from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def seed_reference_data(sender=None, **kwargs) -> None:
    """Reference data every installation needs (post_migrate; idempotent): each sub-domain seeds its own."""
    from django.db import transaction

    from cases.core.seed import seed_dispute_types
    from cases.warnings.seed import seed_warnings

    with transaction.atomic():
        seed_dispute_types()
        seed_warnings()


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("案件")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cases.core import events  # noqa: F401  (every timeline event type, registered once)
        from cases.documents import catalogue  # noqa: F401  (every document a case can have, registered once)
        from cases.warnings.thresholds import connect_reference_signals

        connect_reference_signals()
        post_migrate.connect(seed_reference_data, sender=self)
