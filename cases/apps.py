from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def seed_reference_data(sender=None, **kwargs) -> None:
    """Reference data every installation needs (post_migrate; idempotent): each sub-domain seeds its own."""
    from django.db import transaction

    from cases.core.seed import seed_dispute_types
    from cases.integrations.seed import seed_delivery_schedule
    from cases.warnings.seed import seed_warnings

    with transaction.atomic():
        seed_dispute_types()
        seed_warnings()
        seed_delivery_schedule()


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("案件")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cases.core import events  # noqa: F401  (every timeline event type, registered once)
        from cases.documents import catalogue  # noqa: F401  (every document a case can have, registered once)
        from cases.warnings.thresholds import connect_reference_signals

        connect_reference_signals()
        from cases.core.timeline import RECORD_HOOKS
        from cases.integrations.services import record_outbound

        RECORD_HOOKS.append(record_outbound)  # outbound events for pushed cases, in the change's transaction
        post_migrate.connect(seed_reference_data, sender=self)
        from cases.rollups.triggers import install_after_migrate

        post_migrate.connect(install_after_migrate, sender=self)  # the rollups' trigger (cases/rollups)
