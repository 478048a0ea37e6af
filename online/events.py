"""The online app's timeline event types (registered with the cases timeline at ``OnlineConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from cases.core.timeline import EventType

SIGNING_VERSION_PUBLISHED = EventType("online_signing_version", _("生成电子签署版调解协议书"))
SIGNING_INVITED = EventType("online_signing_invited", _("发送电子签署短信"))
SIGNING_CODE_SENT = EventType("online_signing_code_sent", _("发送签署验证码"))
E_SIGNED = EventType("online_e_signed", _("当事人电子签名"), public=True)
STAMPED_COPY_ISSUED = EventType("online_stamped_copy", _("生成电子签名协议书"))

SESSION_SCHEDULED = EventType("online_session_scheduled", _("安排线上调解"))
SESSION_INVITED = EventType("online_session_invited", _("发送线上调解邀请短信"))
SESSION_JOINED = EventType("online_session_joined", _("当事人进入线上调解"))
SESSION_MESSAGE = EventType("online_session_message", _("线上调解发言"))
SESSION_PROPOSAL = EventType("online_session_proposal", _("提出调解方案"))
SESSION_PROPOSAL_ANSWERED = EventType("online_session_answered", _("当事人对调解方案表态"))
SESSION_HELD = EventType("online_session_held", _("记录线上调解实际时间"))
SESSION_CLOSED = EventType("online_session_closed", _("结束线上调解并生成笔录"))
SESSION_CONFIRMED = EventType("online_session_confirmed", _("当事人确认调解笔录"), public=True)
