"""The django-celery-beat entry of the outbox sweep (every minute)."""


def seed_delivery_schedule(every_seconds: int = 60) -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    schedule, _created = IntervalSchedule.objects.get_or_create(
        every=every_seconds, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.update_or_create(
        name="integrations.deliver",
        defaults={"task": "cases.integrations.deliver_due_events", "interval": schedule, "enabled": True},
    )
