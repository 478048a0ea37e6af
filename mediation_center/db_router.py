"""Sends dashboard and report reads to the read replica when one is configured.

Reporting code wraps its reads in ``with reporting_reads():``; inside, every read goes to the
``replica`` alias (REPLICA_DATABASE_URL) if it exists, and writes still go to the primary.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_reporting: ContextVar[bool] = ContextVar("reporting_reads", default=False)


def reporting_db() -> str:
    """The alias that dashboards and exports read from."""
    return "replica" if "replica" in settings.DATABASES else "default"


@contextmanager
def reporting_reads():
    """Route the reads made inside this block to the reporting database."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


class ReplicaRouter:
    """Writes and ordinary reads go to the primary; reads inside ``reporting_reads()`` to the replica."""

    def db_for_read(self, model, **hints):
        return reporting_db() if _reporting.get() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
