"""The case's status machine: one table of allowed moves, one function that makes them.

Each row is (from status, to status, outcome). A move into CONCLUDED must name one of the
ends the law names (``Outcome``); every other move has no outcome. Who may make a move is
decided by the service that calls ``move()``, not here.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from mediation_center.errors import IllegalTransition

from .models import Case, Outcome, Status

S = Status
O = Outcome  # noqa: E741

# Statuses in which mediation is still running: every end below may be reached from them.
_WORKING = (S.REGISTERED, S.ROUTED, S.IN_MEDIATION)

TABLE: frozenset[tuple[str, str, str]] = frozenset(
    {
        # accept / refuse to accept
        (S.SUBMITTED, S.REGISTERED, ""),
        (S.SUBMITTED, S.NOT_ACCEPTED, O.NOT_ACCEPTED),
        (S.REGISTERED, S.NOT_ACCEPTED, O.NOT_ACCEPTED),
        # route, re-route, start and hand back mediation
        (S.REGISTERED, S.ROUTED, ""),
        (S.ROUTED, S.ROUTED, ""),
        (S.ROUTED, S.IN_MEDIATION, ""),
        (S.IN_MEDIATION, S.ROUTED, ""),
        (S.IN_MEDIATION, S.IN_MEDIATION, ""),
        # the ends the law names; agreements and a failed mediation need a mediation under way
        (S.IN_MEDIATION, S.CONCLUDED, O.WRITTEN_AGREEMENT),
        (S.IN_MEDIATION, S.CONCLUDED, O.ORAL_AGREEMENT),
        (S.IN_MEDIATION, S.CONCLUDED, O.FAILED),
        *((source, S.CONCLUDED, O.REFUSED) for source in _WORKING),
        *((source, S.CONCLUDED, O.WITHDRAWN) for source in _WORKING),
        *((source, S.CONCLUDED, O.TRANSFERRED) for source in _WORKING),
        # evaluate (评估) and close (结案); CONCLUDED -> CLOSED only where the center waives evaluation
        (S.CONCLUDED, S.EVALUATED, ""),
        (S.CONCLUDED, S.CLOSED, ""),
        (S.EVALUATED, S.CLOSED, ""),
        # reopen: by a supervisor with a reason, or after a visit finds the agreement broken
        (S.CONCLUDED, S.IN_MEDIATION, ""),
        (S.EVALUATED, S.IN_MEDIATION, ""),
        (S.CLOSED, S.IN_MEDIATION, ""),
    }
)

# from-status -> the statuses it may move to (derived from TABLE; kept for callers that only ask this)
TRANSITIONS: dict[str, set[str]] = {status: set() for status in S.values}
for _source, _target, _outcome in TABLE:
    TRANSITIONS[_source].add(_target)

TIMESTAMP_FIELDS = {
    S.REGISTERED: "accepted_at",
    S.ROUTED: "routed_at",
    S.CONCLUDED: "concluded_at",
    S.CLOSED: "closed_at",
}


def can_move(case: Case, to: str, outcome: str = "") -> bool:
    return (case.status, to, outcome) in TABLE


def outcomes_from(status: str) -> list[str]:
    """The ends that may be recorded from ``status``, in the order Outcome lists them."""
    allowed = {outcome for source, _to, outcome in TABLE if source == status and outcome}
    return [value for value in O.values if value in allowed]


def move(case: Case, to: str, *, outcome: str = "", extra_fields: tuple[str, ...] = ()) -> Case:
    """Set the status (the only place that does); the caller holds the row lock and saves the event."""
    if to == S.NOT_ACCEPTED and not outcome:
        outcome = O.NOT_ACCEPTED  # the status names its own end
    if not can_move(case, to, outcome):
        if outcome:
            message = _("案件当前为“%(current)s”，不能以“%(outcome)s”终结。") % {
                "current": Status(case.status).label,
                "outcome": Outcome(outcome).label,
            }
        else:
            message = _("案件当前为“%(current)s”，不能转为“%(target)s”。") % {
                "current": Status(case.status).label,
                "target": Status(to).label,
            }
        raise IllegalTransition(message)
    case.status = to
    fields = ["status", "updated_at", *extra_fields]
    if outcome:
        case.outcome = outcome
        fields.append("outcome")
    stamp = TIMESTAMP_FIELDS.get(to)
    if stamp and getattr(case, stamp) is None:
        setattr(case, stamp, timezone.now())
        fields.append(stamp)
    case.save(update_fields=list(dict.fromkeys(fields)))
    return case
