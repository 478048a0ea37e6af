"""Outbound event types, and which timeline events (``cases/core/events.py``, ``routing/events.py``) send them.

These are not timeline event types: they name what an external system is told, one or more per timeline event.
"""

from django.utils.translation import gettext_lazy as _

ACCEPTED = "accepted"
REFUSED = "refused"
ROUTED = "routed"
TRANSFERRED = "transferred"
MEDIATOR_ASSIGNED = "mediator_assigned"
EXTENSION_GRANTED = "extension_granted"
CONCLUDED = "concluded"
CLOSED = "closed"
FOLLOW_UP = "follow_up"
REOPENED = "reopened"
TEST = "test"

LABELS = {
    ACCEPTED: _("受理"),
    REFUSED: _("不予受理"),
    ROUTED: _("分流"),
    TRANSFERRED: _("层级移交"),
    MEDIATOR_ASSIGNED: _("指派调解员"),
    EXTENSION_GRANTED: _("延长办理期限"),
    CONCLUDED: _("调解终结"),
    CLOSED: _("结案"),
    FOLLOW_UP: _("回访结果"),
    REOPENED: _("重新启动调解"),
}
CHOICES = list(LABELS.items())

# timeline event code -> outbound types, in the order they are sent. A pushed case starts "registered",
# already accepted; an online application is "accepted" later; a refusal at conclusion is "not_accepted" too.
OUTBOUND_TYPES: dict[str, tuple[str, ...]] = {
    "registered": (ACCEPTED,),
    "accepted": (ACCEPTED,),
    "not_accepted": (REFUSED,),
    "routed": (ROUTED,),
    "transferred": (TRANSFERRED,),
    "assigned": (MEDIATOR_ASSIGNED,),
    "claimed": (MEDIATOR_ASSIGNED,),
    "clock_extended": (EXTENSION_GRANTED,),
    "concluded": (CONCLUDED,),
    "closed": (CLOSED,),
    "reopened": (REOPENED,),
    "follow_up_recorded": (FOLLOW_UP,),
    "follow_up_reopened": (FOLLOW_UP, REOPENED),
}
