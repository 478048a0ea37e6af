"""The nightly hotspot detection (Celery beat at RISK_DETECT_HOUR:15, center time)."""

import logging

from celery import shared_task
from django.conf import settings

log = logging.getLogger(__name__)
TASK = "risk.tasks.nightly_detection"


def seed_schedule() -> None:
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="15",
        hour=str(settings.RISK_DETECT_HOUR),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.CELERY_TIMEZONE,
    )
    PeriodicTask.objects.update_or_create(
        name="risk.nightly_detection",
        defaults={"task": TASK, "crontab": schedule, "interval": None, "enabled": True},
    )


@shared_task(name=TASK, ignore_result=True)
def nightly_detection() -> dict:
    """Compare each place × type and each respondent with its own history; raise or update signals."""
    from risk.services import detect_risks

    summary = detect_risks()
    log.info("risk detection: %s", summary)
    return summary.__dict__
