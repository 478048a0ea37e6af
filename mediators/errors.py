from django.utils.translation import gettext_lazy as _

from mediation_center.errors import DomainError


class LibraryError(DomainError):
    code = "mediator_library"
    http_status = 400
    default_message = _("调解专家库的操作未完成。")
