"""Every timeline event type of ``cases``, declared once, here; imported at ``CasesConfig.ready`` so the
registry (``cases.core.timeline.REGISTRY``) is complete before any page or task labels an event.

A service records one with ``events.X.record(case, actor=...)``. Routing declares its own in ``routing/events.py``.
"""

from django.utils.translation import gettext_lazy as _

from cases.core.timeline import EventType

# --- intake (the shared window) ----------------------------------------------------------------
REGISTERED = EventType("registered", _("登记受理"), public=True)
SUBMITTED = EventType("submitted", _("网上申请已提交"), public=True)
ACCEPTED = EventType("accepted", _("受理"), public=True)
NOT_ACCEPTED = EventType("not_accepted", _("不予受理"), public=True)
MARKED_REPEAT = EventType("marked_repeat", _("标记为重复来访"))
MERGED = EventType("merged", _("并单"))
ATTACHMENT_ADDED = EventType("attachment_added", _("上传证据材料"))
EXTERNAL_UPDATED = EventType(
    "external_updated", _("外部系统更新")
)  # staff only: the pushed changes, not applied
EXTERNAL_NOTE = EventType(
    "external_note", _("外部系统补充信息")
)  # staff only: a source system's update (servicerequestupdates), for the staff to act on
SENSITIVE_REVEALED = EventType("sensitive_revealed", _("查看完整证件号/电话"))

# --- identity ----------------------------------------------------------------------------------
IDENTITY_VERIFIED = EventType("identity_verified", _("核验身份"))

# --- lifecycle: mediation, agreement, conclusion, evaluation, closing, follow-up ---------------
SESSION_RECORDED = EventType("session_recorded", _("记录调解"))
SESSION_UPDATED = EventType("session_updated", _("修改调解记录"))
AGREEMENT_DRAFTED = EventType("agreement_drafted", _("制作调解协议书"))
AGREEMENT_UPDATED = EventType("agreement_updated", _("修改调解协议书"))
AGREEMENT_SIGNED = EventType("agreement_signed", _("调解协议签名盖章"))
AGREEMENT_EFFECTIVE = EventType("agreement_effective", _("调解协议生效"), public=True)
CONCLUDED = EventType("concluded", _("调解终结"), public=True)
REVIEWER_DESIGNATED = EventType("reviewer_designated", _("指定评估人"))
EVALUATED = EventType("evaluated", _("案件评估"))
CLOSED = EventType("closed", _("结案"), public=True)
REOPENED = EventType("reopened", _("重新启动调解"), public=True)
FOLLOW_UP_RECORDED = EventType("follow_up_recorded", _("回访"), public=True)
FOLLOW_UP_REOPENED = EventType("follow_up_reopened", _("回访发现协议未履行，重新启动调解"), public=True)

# --- the citizens' portal ----------------------------------------------------------------------
CASE_MESSAGE = EventType("portal_message", _("在线调解留言"))
CASE_RATED = EventType("portal_rated", _("当事人评价"))
APPOINTMENT_BOOKED = EventType("portal_appointment", _("预约来访"))

# --- warnings: levels, clocks, supervision, conferences ----------------------------------------
LEVEL_CHANGED = EventType("warning_level_changed", _("预警等级变更"))
CLOCK_PAUSED = EventType("clock_paused", _("期限中止计算"), public=True)
CLOCK_RESUMED = EventType("clock_resumed", _("期限恢复计算"), public=True)
CLOCK_EXTENDED = EventType("clock_extended", _("办理期限延长"), public=True)
ORDER_ISSUED = EventType("supervision_issued", _("签发督办单"))
ORDER_ACKNOWLEDGED = EventType("supervision_acknowledged", _("督办单已签收"))
ORDER_REPORTED = EventType("supervision_reported", _("督办单已反馈"))
CONFERENCE_RECORDED = EventType("conference_recorded", _("会商研判"))
RISK_UPDATED = EventType("risk_updated", _("更新风险因素"))
