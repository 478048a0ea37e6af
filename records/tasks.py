from celery import shared_task

from records.schedule import TASK, run_nightly_backup


@shared_task(name=TASK, ignore_result=True)
def nightly_backup() -> str:
    """The nightly backup (django-celery-beat, when BACKUP_DIR is set), keeping N daily and M monthly archives."""
    path = run_nightly_backup()
    return str(path or "")
