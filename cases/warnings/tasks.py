"""Celery tasks. Arguments are ids; each task calls one service and is safe to run twice."""

from celery import shared_task


@shared_task(name="cases.tasks.sweep_warnings", ignore_result=True)
def sweep_warnings() -> int:
    """The periodic escalation sweep (django-celery-beat), plus the e-mail outbox."""
    from cases.warnings.services import retry_pending_emails, sweep_due_cases

    changes = sweep_due_cases()
    retry_pending_emails()
    return changes


@shared_task(
    name="cases.tasks.send_notification_email",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=5,
)
def send_notification_email(notification_id: int) -> bool:
    from cases.warnings.services import send_notification_email_now

    return send_notification_email_now(notification_id)
