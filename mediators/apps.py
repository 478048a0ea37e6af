from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def seed_refresh_schedule(sender=None, **kwargs) -> None:
    """The django-celery-beat entry of the summaries' refresh (every minute; post_migrate, idempotent)."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    schedule, _created = IntervalSchedule.objects.get_or_create(every=60, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.update_or_create(
        name="mediators.refresh_tracks",
        defaults={"task": "mediators.refresh_tracks", "interval": schedule, "enabled": True},
    )


class MediatorsConfig(AppConfig):
    name = "mediators"
    verbose_name = _("调解专家库")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import events  # noqa: F401  (the timeline's registry must know our event types)
        from .tracks import install_after_migrate

        post_migrate.connect(install_after_migrate, sender=self)  # the summaries' triggers (tracks.py)
        post_migrate.connect(seed_refresh_schedule, sender=self)
