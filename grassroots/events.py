"""Timeline event types of grassroots: the case events of a quick record are lifecycle's own (registered,
routed, claimed, session, concluded, closed); these name what happens to the grassroots rows themselves."""

from django.utils.translation import gettext_lazy as _

from cases.core.timeline import EventType

# On the case: a dispute reported up from the phone form (the case's first event stays 网上申请已提交).
ON_SPOT_TAKEN = EventType("grassroots_on_spot", _("现场受理调解（随手调）"))

# On a latent risk's own timeline (RiskEvent.type)
RISK_REPORTED = "reported"
RISK_LEVEL_CHANGED = "level_changed"
RISK_CLOSED = "closed"
RISK_EVENT_LABELS = {
    RISK_REPORTED: _("上报隐患"),
    RISK_LEVEL_CHANGED: _("调整隐患等级"),
    RISK_CLOSED: _("隐患销号"),
}

# On a screening task (its reported_* fields; the round is one row)
