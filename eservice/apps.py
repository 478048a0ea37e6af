from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def seed_sweep_schedule(sender=None, **kwargs) -> None:
    """The django-celery-beat entry of the unopened-service sweep (post_migrate; idempotent)."""
    from django.conf import settings
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    schedule, _created = IntervalSchedule.objects.get_or_create(
        every=settings.ESERVICE_SWEEP_INTERVAL_SECONDS, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.update_or_create(
        name="eservice.flag_unopened",
        defaults={"task": "eservice.flag_unopened_services", "interval": schedule, "enabled": True},
    )


class EServiceConfig(AppConfig):
    name = "eservice"
    verbose_name = _("电子送达")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from eservice import events  # noqa: F401  registers the app's timeline event types

        post_migrate.connect(seed_sweep_schedule, sender=self)
