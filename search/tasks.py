"""Celery tasks of search; each is safe to run twice and at once (search.indexer.index_pending)."""

from celery import shared_task

from search.indexer import index_pending


@shared_task(name="search.index_pending", ignore_result=True)
def index_pending_cases() -> int:
    """The periodic sweep (django-celery-beat): the words of the cases changed since the last sweep."""
    return index_pending()
