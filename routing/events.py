"""Timeline event types of routing; each service records exactly one of them."""

from django.utils.translation import gettext_lazy as _

from cases.core.timeline import EventType

ROUTED = EventType("routed", _("分流"), public=True)
ASSIGNED = EventType("assigned", _("指派调解员"))
CLAIMED = EventType("claimed", _("调解员认领"))
RECUSED = EventType("recused", _("回避"))
TRANSFERRED = EventType("transferred", _("层级移交"), public=True)
SUMMONED = EventType("summoned", _("部门吹哨"))
SUMMONS_ACCEPTED = EventType("summons_accepted", _("部门报到"))
SUMMONS_DECLINED = EventType("summons_declined", _("部门拒绝协办"))
SUMMONS_ACTION = EventType("summons_action", _("部门办理情况"))
ACCESS_GRANTED = EventType("access_granted", _("授予个案权限"))
ACCESS_REVOKED = EventType("access_revoked", _("撤销个案权限"))
