"""The nightly backup: its beat entry, the task's work and which old archives to keep."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path

from django.conf import settings

from records.archive import PREFIX, create_backup

log = logging.getLogger(__name__)
_NAME = re.compile(rf"^{PREFIX}(\d{{8}})T(\d{{6}})Z\.tar(\.enc)?$")
TASK = "records.tasks.nightly_backup"
RETENTION_TASK = "records.tasks.nightly_retention"


def seed_backup_schedule() -> None:
    """A crontab entry at BACKUP_HOUR (the center's time), enabled exactly when BACKUP_DIR is set."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour=str(settings.BACKUP_HOUR),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.CELERY_TIMEZONE,
    )
    PeriodicTask.objects.update_or_create(
        name="records.nightly_backup",
        defaults={"task": TASK, "crontab": schedule, "interval": None, "enabled": bool(settings.BACKUP_DIR)},
    )


def seed_retention_schedule() -> None:
    """The nightly retention run at RETENTION_HOUR:45, enabled when either retention period is set."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="45",
        hour=str(settings.RETENTION_HOUR),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.CELERY_TIMEZONE,
    )
    enabled = settings.RETENTION_CASE_YEARS > 0 or settings.RETENTION_CITIZEN_DAYS > 0
    PeriodicTask.objects.update_or_create(
        name="records.nightly_retention",
        defaults={"task": RETENTION_TASK, "crontab": schedule, "interval": None, "enabled": enabled},
    )


def archives_to_delete(names: list[str], *, keep_daily: int, keep_monthly: int) -> list[str]:
    """Keep the newest archive of each of the last ``keep_daily`` days that have one and the first archive of
    each of the last ``keep_monthly`` months; every other archive named like ours goes."""
    dated = sorted(((m.group(1) + m.group(2), n) for n in names if (m := _NAME.match(n))), reverse=True)
    keep: set[str] = set()
    days: dict[str, str] = {}
    for stamp, name in dated:  # newest first: the first seen per day is the day's newest
        days.setdefault(stamp[:8], name)
    keep |= set(list(days.values())[:keep_daily])
    months: dict[str, str] = {}
    for stamp, name in reversed(dated):  # oldest first: the first seen per month is the month's first
        months.setdefault(stamp[:6], name)
    keep |= set(sorted(months.items(), reverse=True)[i][1] for i in range(min(keep_monthly, len(months))))
    return [name for _stamp, name in dated if name not in keep]


def run_nightly_backup(now: datetime | None = None) -> Path | None:
    """Back up into BACKUP_DIR and prune old archives; nothing when BACKUP_DIR is unset."""
    if not settings.BACKUP_DIR:
        log.info("BACKUP_DIR is not set: nightly backup skipped")
        return None
    folder = Path(settings.BACKUP_DIR)
    path, manifest = create_backup(folder, key=settings.BACKUP_ENCRYPTION_KEY, now=now)
    log.info(
        "backup written: %s (%s rows, %s files)",
        path,
        sum(manifest["database"]["tables"].values()),
        len(manifest["files"]),
    )
    names = [p.name for p in folder.iterdir() if p.is_file()]
    for name in archives_to_delete(
        names, keep_daily=settings.BACKUP_KEEP_DAILY, keep_monthly=settings.BACKUP_KEEP_MONTHLY
    ):
        (folder / name).unlink(missing_ok=True)
        log.info("old backup removed: %s", name)
    return path
