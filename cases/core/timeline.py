"""Timeline event types and the one function that writes them.

Each sub-domain declares its event types with ``EventType(...)`` at import time; a service
records exactly one event through ``EVENT.record(case, actor=..., ...)``.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.core.models import Case, TimelineEvent

REGISTRY: dict[str, "EventType"] = {}


@dataclass(frozen=True)
class EventType:
    code: str
    label: str | Promise
    public: bool = False  # shown to citizens on the status page

    def __post_init__(self):
        REGISTRY[self.code] = self

    def record(
        self, case: Case, *, actor=None, data: dict | None = None, public: bool | None = None
    ) -> TimelineEvent:
        """Write this event for ``case``; ``actor=None`` means the system, and then data should carry a reason."""
        return TimelineEvent.objects.create(
            case=case,
            type=self.code,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            is_public=self.public if public is None else public,
            data=data or {},
        )


def label_for(code: str) -> str:
    event_type = REGISTRY.get(code)
    return str(event_type.label) if event_type else code


REGISTERED = EventType("registered", _("登记受理"), public=True)
SUBMITTED = EventType("submitted", _("网上申请已提交"), public=True)
ACCEPTED = EventType("accepted", _("受理"), public=True)
NOT_ACCEPTED = EventType("not_accepted", _("不予受理"), public=True)
MARKED_REPEAT = EventType("marked_repeat", _("标记为重复来访"))
MERGED = EventType("merged", _("并单"))
ATTACHMENT_ADDED = EventType("attachment_added", _("上传证据材料"))
SENSITIVE_REVEALED = EventType("sensitive_revealed", _("查看完整证件号/电话"))
