"""The e-service app's timeline event types (registered with the cases timeline at ``EServiceConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from cases.core.timeline import EventType

CONSENT_GIVEN = EventType("eservice_consent_given", _("登记同意电子送达"))
CONSENT_WITHDRAWN = EventType("eservice_consent_withdrawn", _("撤回电子送达同意"))
SENT = EventType("eservice_sent", _("发送电子送达短信"))
DELIVERED = EventType("eservice_delivered", _("电子送达短信已发出"))
OPENED = EventType("eservice_opened", _("当事人打开电子送达文书（送达）"), public=True)
UNOPENED = EventType("eservice_unopened", _("电子送达逾期未打开"))
PAPER_RECORDED = EventType("eservice_paper", _("登记纸质送达"))
