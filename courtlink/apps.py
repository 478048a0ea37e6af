from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def seed_sweep_schedule(sender, **kwargs) -> None:
    from courtlink.tasks import seed_schedule

    seed_schedule()


class CourtlinkConfig(AppConfig):
    name = "courtlink"
    verbose_name = _("诉调对接")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cases.core.timeline import RECORD_HOOKS
        from courtlink import events  # noqa: F401  registers the app's timeline event types
        from courtlink.deadlines import on_timeline_event

        RECORD_HOOKS.append(on_timeline_event)
        post_migrate.connect(seed_sweep_schedule, sender=self)
