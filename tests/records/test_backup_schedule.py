"""Which archives the nightly backup keeps, and its beat entry."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from records.archive import ArchiveError, archive_name
from records.schedule import archives_to_delete, run_nightly_backup, seed_backup_schedule


def _names(stamps):
    return [archive_name(s, encrypted=False) for s in stamps]


def test_keeps_the_newest_per_day_and_the_first_per_month():
    start = datetime(2026, 1, 1, 2, 30, tzinfo=UTC)
    daily = [start + timedelta(days=d) for d in range(70)]  # 1 Jan .. 11 Mar, one a night
    extra = datetime(2026, 3, 11, 14, 0, tzinfo=UTC)  # a second, manual backup on the last day
    names = _names([*daily, extra]) + ["notes.txt", "mediation-garbage.tar"]

    gone = set(archives_to_delete(names, keep_daily=3, keep_monthly=2))
    kept = set(names) - gone

    assert kept == {
        archive_name(extra, encrypted=False),  # 11 Mar, newest of the day (the 02:30 one goes)
        archive_name(datetime(2026, 3, 10, 2, 30, tzinfo=UTC), encrypted=False),
        archive_name(datetime(2026, 3, 9, 2, 30, tzinfo=UTC), encrypted=False),
        archive_name(datetime(2026, 3, 1, 2, 30, tzinfo=UTC), encrypted=False),  # first of March
        archive_name(datetime(2026, 2, 1, 2, 30, tzinfo=UTC), encrypted=False),  # first of February
        "notes.txt",  # not ours: never touched
        "mediation-garbage.tar",
    }
    assert archive_name(datetime(2026, 1, 1, 2, 30, tzinfo=UTC), encrypted=False) in gone


@pytest.mark.django_db(transaction=True)
def test_nightly_backup_writes_and_prunes(settings, tmp_path):
    settings.BACKUP_DIR = str(tmp_path)
    settings.PRIVATE_MEDIA_ROOT = settings.MEDIA_ROOT = tmp_path / "private"
    settings.BACKUP_KEEP_DAILY, settings.BACKUP_KEEP_MONTHLY = 2, 0
    for day in (1, 2, 3):
        run_nightly_backup(now=datetime(2026, 5, day, 18, 30, tzinfo=UTC))
    assert sorted(p.name for p in tmp_path.glob("mediation-*")) == [
        "mediation-20260502T183000Z.tar",
        "mediation-20260503T183000Z.tar",
    ]


def test_beat_entry_enabled_only_when_a_backup_folder_is_set(db, settings):
    from django_celery_beat.models import PeriodicTask

    settings.BACKUP_DIR = ""
    seed_backup_schedule()
    task = PeriodicTask.objects.get(name="records.nightly_backup")
    assert task.task == "records.tasks.nightly_backup" and not task.enabled
    settings.BACKUP_DIR, settings.BACKUP_HOUR = "/srv/backups", 3
    seed_backup_schedule()
    task.refresh_from_db()
    assert task.enabled and task.crontab.hour == "3" and task.crontab.minute == "30"


def test_a_backup_inside_a_transaction_is_refused_rather_than_missing_uncommitted_rows(db, tmp_path):
    from records.archive import create_backup

    assert transaction.get_connection().in_atomic_block
    with pytest.raises(ArchiveError, match="inside a transaction"):
        create_backup(tmp_path)
    assert not list(tmp_path.iterdir())
