from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def seed_backup_schedule(sender=None, **kwargs) -> None:
    """The nightly backup's django-celery-beat entry: enabled when BACKUP_DIR is set (post_migrate; idempotent)."""
    from records.schedule import seed_backup_schedule as seed
    from records.schedule import seed_retention_schedule

    seed()
    seed_retention_schedule()


def reinstall_seal_triggers(sender=None, using="default", **kwargs) -> None:
    from records.integrity import reinstall_sqlite_triggers

    reinstall_sqlite_triggers(using)


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("记录安全")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(seed_backup_schedule, sender=self)
        post_migrate.connect(reinstall_seal_triggers, sender=self)
