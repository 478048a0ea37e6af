from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("案件检索")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cases.core.timeline import RECORD_HOOKS
        from search.indexer import index_on_event

        RECORD_HOOKS.append(index_on_event)  # the index follows each change, in the change's transaction
