from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def seed_detection_schedule(sender=None, **kwargs) -> None:
    """The nightly detection's django-celery-beat entry (post_migrate; idempotent)."""
    from risk.tasks import seed_schedule

    seed_schedule()


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = _("研判预警")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from risk import events  # noqa: F401 - the timeline's event types, registered before any page

        post_migrate.connect(seed_detection_schedule, sender=self)
