"""Timeline event types of the mediator library; each service records exactly one of them."""

from django.utils.translation import gettext_lazy as _

from cases.core.timeline import EventType

GROUP_ASSIGNED = EventType("group_assigned", _("指派调解工作室/团队"))
MEDIATOR_REQUESTED = EventType("mediator_requested", _("当事人申请指定调解员"), public=True)
REQUEST_ACCEPTED = EventType("mediator_request_accepted", _("同意指定调解员申请"), public=True)
REQUEST_DECLINED = EventType("mediator_request_declined", _("不同意指定调解员申请"), public=True)
