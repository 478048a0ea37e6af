"""The online app's timeline event types (registered with the cases timeline at ``OnlineConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from cases.core.timeline import EventType

SIGNING_VERSION_PUBLISHED = EventType("online_signing_version", _("生成电子签署版调解协议书"))
SIGNING_INVITED = EventType("online_signing_invited", _("发送电子签署短信"))
SIGNING_CODE_SENT = EventType("online_signing_code_sent", _("发送签署验证码"))
E_SIGNED = EventType("online_e_signed", _("当事人电子签名"), public=True)
STAMPED_COPY_ISSUED = EventType("online_stamped_copy", _("生成电子签名协议书"))
