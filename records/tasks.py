from celery import shared_task

from records.schedule import RETENTION_TASK, TASK, run_nightly_backup


@shared_task(name=TASK, ignore_result=True)
def nightly_backup() -> str:
    """The nightly backup (django-celery-beat, when BACKUP_DIR is set), keeping N daily and M monthly archives."""
    path = run_nightly_backup()
    return str(path or "")


@shared_task(name=RETENTION_TASK, ignore_result=True)
def nightly_retention() -> dict:
    """Archive closed cases past RETENTION_CASE_YEARS, delete idle citizen accounts with no case."""
    from records.retention import run_retention

    run = run_retention()
    return {"archived": run.cases_archived, "citizens_deleted": run.citizens_deleted}
