"""The case's status machine: one table of allowed moves, one function that makes them."""

from django.utils import timezone
from django.utils.translation import gettext as _

from mediation_center.errors import IllegalTransition

from .models import Case, Status

S = Status

# from-status -> the statuses it may move to
TRANSITIONS: dict[str, set[str]] = {
    S.SUBMITTED: {S.REGISTERED, S.NOT_ACCEPTED},
    S.REGISTERED: {S.ROUTED, S.NOT_ACCEPTED, S.CONCLUDED},
    S.ROUTED: {S.ROUTED, S.IN_MEDIATION, S.CONCLUDED},
    S.IN_MEDIATION: {S.IN_MEDIATION, S.ROUTED, S.CONCLUDED},
    S.CONCLUDED: {S.EVALUATED, S.CLOSED, S.IN_MEDIATION},
    S.EVALUATED: {S.CLOSED, S.IN_MEDIATION},
    S.CLOSED: {S.IN_MEDIATION},
    S.NOT_ACCEPTED: set(),
}

TIMESTAMP_FIELDS = {
    S.REGISTERED: "accepted_at",
    S.ROUTED: "routed_at",
    S.CONCLUDED: "concluded_at",
    S.CLOSED: "closed_at",
}


def can_move(case: Case, to: str) -> bool:
    return to in TRANSITIONS.get(case.status, set())


def move(case: Case, to: str, *, extra_fields: tuple[str, ...] = ()) -> Case:
    """Set the status (the only place that does); the caller holds the row lock and saves the event."""
    if not can_move(case, to):
        raise IllegalTransition(
            _("案件当前为“%(current)s”，不能转为“%(target)s”。")
            % {"current": Status(case.status).label, "target": Status(to).label}
        )
    case.status = to
    fields = ["status", "updated_at", *extra_fields]
    stamp = TIMESTAMP_FIELDS.get(to)
    if stamp and getattr(case, stamp) is None:
        setattr(case, stamp, timezone.now())
        fields.append(stamp)
    case.save(update_fields=list(dict.fromkeys(fields)))
    return case
