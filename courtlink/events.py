"""The court hand-off's timeline event types (registered with the cases timeline at ``CourtlinkConfig.ready``).

Each move of a package is one event; the public ones are shown to the parties on the status page."""

from django.utils.translation import gettext_lazy as _

from cases.core.timeline import EventType

PACKAGE_PREPARED = EventType("court_package_prepared", _("准备司法确认申请材料"))
REFERRAL_PREPARED = EventType("court_referral_prepared", _("诉调对接：移送法院"), public=True)
PACKAGE_SUBMITTED = EventType("court_package_submitted", _("已向人民法院提交"), public=True)
PACKAGE_ACCEPTED = EventType("court_package_accepted", _("人民法院已受理"), public=True)
PACKAGE_CONFIRMED = EventType("court_package_confirmed", _("人民法院裁定确认调解协议有效"), public=True)
PACKAGE_REJECTED = EventType("court_package_rejected", _("人民法院不予受理或驳回申请"), public=True)
DEADLINE_WARNED = EventType("court_confirmation_deadline_near", _("司法确认申请期限即将届满"))
DEADLINE_LAPSED = EventType("court_confirmation_deadline_lapsed", _("司法确认申请期限已届满，未申请"))
PACKAGE_CLOSED = EventType("court_package_closed", _("人民法院已办结"), public=True)
