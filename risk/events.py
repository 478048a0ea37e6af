"""The signal timeline's event types, declared once here, like cases/core/events.py for cases."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REGISTRY: dict[str, "SignalEventType"] = {}


@dataclass(frozen=True)
class SignalEventType:
    code: str
    label: str | Promise

    def __post_init__(self):
        REGISTRY[self.code] = self

    def record(self, signal, *, actor=None, data: dict | None = None):
        """Write this event on ``signal``'s timeline; ``actor=None`` is the detection run."""
        from risk.models import SignalEvent

        return SignalEvent.objects.create(
            signal=signal,
            type=self.code,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            data=data or {},
        )


def label_for(code: str) -> str:
    event_type = REGISTRY.get(code)
    return str(event_type.label) if event_type else code


RAISED = SignalEventType("raised", _("发现风险信号"))
UPDATED = SignalEventType("updated", _("检测更新"))
SUBSIDED = SignalEventType("subsided", _("条件已回落，待办结"))
ACKNOWLEDGED = SignalEventType("acknowledged", _("签收"))
ASSIGNED = SignalEventType("assigned", _("指派承办人"))
CONFERENCE_LINKED = SignalEventType("conference_linked", _("会商研判"))
TASK_ADDED = SignalEventType("task_added", _("布置后续任务"))
TASK_DONE = SignalEventType("task_done", _("后续任务完成"))
CLOSED = SignalEventType("closed", _("办结"))
