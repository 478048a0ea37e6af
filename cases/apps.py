from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("案件")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cases.core.seed import seed_reference_data
        from cases.documents import portal  # noqa: F401  (registers the citizens' PDFs)

        post_migrate.connect(seed_reference_data, sender=self)
