"""Timeline event types and the one function that writes them.

Each sub-domain declares its event types with ``EventType(...)`` at import time; a service
records exactly one event through ``EVENT.record(case, actor=..., ...)``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from cases.core.models import Case, TimelineEvent

REGISTRY: dict[str, "EventType"] = {}

# Called with (case, event) after each event is written, in the same transaction: how others follow a case
# without any service knowing of them (cases/integrations writes its outbox rows here). Registered at ready().
RECORD_HOOKS: list[Callable[[Case, TimelineEvent], None]] = []


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
        event = TimelineEvent.objects.create(
            case=case,
            type=self.code,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            is_public=self.public if public is None else public,
            data=data or {},
        )
        for hook in RECORD_HOOKS:
            hook(case, event)
        return event


def record_together(case: Case, entries: list[tuple[EventType, object, dict]]) -> list[TimelineEvent]:
    """Several events of one case, in this order, written in one statement (a case registered and closed in
    one call: grassroots' quick record). Each is the event its step would have recorded; each hook is called
    once per event, in order, unless it takes a case's events together (``hook.together(case, events)``, the
    search index: one rebuild, not one per event)."""
    events = TimelineEvent.objects.bulk_create(
        [
            TimelineEvent(
                case=case,
                type=event_type.code,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                is_public=event_type.public,
                data=data or {},
            )
            for event_type, actor, data in entries
        ]
    )
    for hook in RECORD_HOOKS:
        together = getattr(hook, "together", None)
        if together is not None:
            together(case, events)
        else:
            for event in events:
                hook(case, event)
    return events


def label_for(code: str) -> str:
    event_type = REGISTRY.get(code)
    return str(event_type.label) if event_type else code
