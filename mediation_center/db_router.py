"""Sends reads marked for reporting to the read replica when one is configured."""

from django.conf import settings


class ReplicaRouter:
    """Writes and ordinary reads go to the primary; reporting code opts in with ``.using(reporting_db())``."""

    def db_for_read(self, model, **hints):
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def reporting_db() -> str:
    """The alias that dashboards and exports read from."""
    return "replica" if "replica" in settings.DATABASES else "default"
