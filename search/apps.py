from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How often the index sweep runs (django-celery-beat): a changed case is found by its words within a minute.
SWEEP_SECONDS = 30


def seed_sweep_schedule(sender=None, **kwargs) -> None:
    """The django-celery-beat entry of the index sweep (post_migrate; idempotent)."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    schedule, _created = IntervalSchedule.objects.get_or_create(
        every=SWEEP_SECONDS, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.update_or_create(
        name="search.index_pending",
        defaults={"task": "search.index_pending", "interval": schedule, "enabled": True},
    )


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("案件检索")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cases.core.timeline import RECORD_HOOKS
        from search.indexer import index_on_event

        RECORD_HOOKS.append(index_on_event)  # each change queues its case, in the change's transaction
        post_migrate.connect(seed_sweep_schedule, sender=self)
