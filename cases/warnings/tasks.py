"""Celery tasks of the warning sub-domain. Arguments are ids; each task calls one service and is safe to
run twice. (The e-mail task lives beside the outbox it serves, in ``notifications``.)"""

from celery import shared_task

from cases.rollups.services import fold_rollups
from cases.warnings.notifications import retry_pending_emails, send_notification_email  # noqa: F401
from cases.warnings.sweep import sweep_due_cases


@shared_task(name="cases.tasks.sweep_warnings", ignore_result=True)
def sweep_warnings() -> int:
    """The periodic escalation sweep (django-celery-beat), plus the e-mail outbox."""
    changes = sweep_due_cases()
    fold_rollups()  # the rollups' pending deltas (cases/rollups), folded every minute
    retry_pending_emails()
    return changes
