"""Celery tasks of integrations; arguments are ids, and each is safe to run twice (rows are claimed)."""

from celery import shared_task

from cases.integrations import services


@shared_task(name="cases.integrations.deliver_case_events", ignore_result=True)
def deliver_case_events(system_id: int, case_id: int | None) -> int:
    return services.deliver_case_events(system_id, case_id)


@shared_task(name="cases.integrations.deliver_due_events", ignore_result=True)
def deliver_due_events() -> int:
    """The periodic outbox sweep (django-celery-beat): retries, and what a broker outage left behind."""
    return services.deliver_due_events()
