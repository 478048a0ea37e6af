"""The judicial-confirmation window sweep (Celery beat, every COURTLINK_SWEEP_MINUTES; safe to run twice)."""

from celery import shared_task
from django.conf import settings

TASK = "courtlink.tasks.sweep_confirmation_windows"


def seed_schedule() -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every, _created = IntervalSchedule.objects.get_or_create(
        every=settings.COURTLINK_SWEEP_MINUTES, period=IntervalSchedule.MINUTES
    )
    PeriodicTask.objects.update_or_create(
        name="courtlink.confirmation_windows",
        defaults={"task": TASK, "interval": every, "crontab": None, "enabled": True},
    )


@shared_task(name=TASK, ignore_result=True)
def sweep_confirmation_windows() -> dict:
    from courtlink.deadlines import sweep_confirmation_windows as sweep

    return sweep().__dict__
