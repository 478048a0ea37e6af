"""Celery tasks of e-service; each is safe to run twice and concurrently (rows are claimed under lock)."""

from celery import shared_task

from eservice import services


@shared_task(name="eservice.flag_unopened_services", ignore_result=True)
def flag_unopened_services() -> int:
    """The periodic sweep (django-celery-beat): services unopened after ESERVICE_UNOPENED_DAYS are flagged."""
    return services.flag_unopened_services()
