"""Celery tasks of the mediator library: the recommendation's summaries refreshed every minute."""

from celery import shared_task

from .tracks import refresh_tracks


@shared_task(name="mediators.refresh_tracks", ignore_result=True)
def refresh_mediator_tracks() -> int:
    """Rewrite the summaries of the mediators that changes marked (``mediators/tracks.py``); safe to run
    twice or in two workers at once."""
    return refresh_tracks()
