"""The case's status machine: the statuses, one table of allowed moves, the status groups, one function
that makes the moves.

Each row is (from status, to status, outcome). A move into CONCLUDED must name one of the
ends the law names (``Outcome``); every other move has no outcome. Who may make a move is
decided by the service that calls ``move()``, not here.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediation_center.errors import IllegalTransition


class Stated(Protocol):
    """What the machine needs of a case (``cases.core.models.Case``, which imports this module)."""

    status: str
    outcome: str

    def save(self, *, update_fields: list[str]) -> None: ...


C = TypeVar("C", bound=Stated)

# Status and Outcome live here (re-exported by cases.models) so that the models can use the groups below.


class Status(models.TextChoices):
    SUBMITTED = "submitted", gettext_lazy("待受理")
    REGISTERED = "registered", gettext_lazy("已受理")
    ROUTED = "routed", gettext_lazy("已分流")
    IN_MEDIATION = "in_mediation", gettext_lazy("调解中")
    CONCLUDED = "concluded", gettext_lazy("已化解/已终结")
    EVALUATED = "evaluated", gettext_lazy("已评估")
    CLOSED = "closed", gettext_lazy("已结案")
    NOT_ACCEPTED = "not_accepted", gettext_lazy("不予受理")


class Outcome(models.TextChoices):
    """The ends the law names (人民调解法 arts. 17, 26, 28, 29), stored in ``Case.outcome``."""

    WRITTEN_AGREEMENT = "written_agreement", gettext_lazy("达成书面调解协议")
    ORAL_AGREEMENT = "oral_agreement", gettext_lazy("达成口头调解协议")
    FAILED = "failed", gettext_lazy("调解不成，终止调解")
    REFUSED = "refused", gettext_lazy("当事人拒绝调解")
    WITHDRAWN = "withdrawn", gettext_lazy("当事人撤回申请")
    TRANSFERRED = "transferred", gettext_lazy("转诉讼或仲裁")
    NOT_ACCEPTED = "not_accepted", gettext_lazy("不予受理")

    @classmethod
    def resolved(cls) -> tuple[str, ...]:
        return (cls.WRITTEN_AGREEMENT, cls.ORAL_AGREEMENT)


S = Status
O = Outcome  # noqa: E741

# WORKING: accepted and mediation not yet ended; every end the law names may be reached from these
# (the one group the table is built from rather than derived from it).
WORKING_STATUSES: tuple[str, ...] = (S.REGISTERED, S.ROUTED, S.IN_MEDIATION)

# reopen: by a supervisor with a reason, or after a visit finds the agreement broken
REOPENS: frozenset[tuple[str, str, str]] = frozenset(
    {
        (S.CONCLUDED, S.IN_MEDIATION, ""),
        (S.EVALUATED, S.IN_MEDIATION, ""),
        (S.CLOSED, S.IN_MEDIATION, ""),
    }
)

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
        *((source, S.CONCLUDED, O.REFUSED) for source in WORKING_STATUSES),
        *((source, S.CONCLUDED, O.WITHDRAWN) for source in WORKING_STATUSES),
        *((source, S.CONCLUDED, O.TRANSFERRED) for source in WORKING_STATUSES),
        # evaluate (评估) and close (结案); CONCLUDED -> CLOSED only where the center waives evaluation
        (S.CONCLUDED, S.EVALUATED, ""),
        (S.CONCLUDED, S.CLOSED, ""),
        (S.EVALUATED, S.CLOSED, ""),
        *REOPENS,
    }
)

# from-status -> the statuses it may move to (derived from TABLE; kept for callers that only ask this)
TRANSITIONS: dict[str, set[str]] = {status: set() for status in S.values}
for _source, _target, _outcome in TABLE:
    TRANSITIONS[_source].add(_target)


def _in_order(statuses) -> tuple[str, ...]:
    """``statuses`` in the order Status declares them (the partial indexes' conditions depend on it)."""
    return tuple(status for status in S if status in statuses)


# The status groups, each derived from TABLE (and stated nowhere else).
# TERMINAL: the case's life is over; no move out of it except a reopen.
TERMINAL_STATUSES = _in_order({s for s in S if not {t for f, t, _o in TABLE - REOPENS if f == s}})
# OPEN: not terminal; the case is still before the center (queues, deadlines, warnings, the open indexes).
OPEN_STATUSES = _in_order(set(S) - set(TERMINAL_STATUSES))
# INTAKE: at the intake window, not yet routed; acceptance may still be refused from these.
INTAKE_STATUSES = _in_order({f for f, t, _o in TABLE if t == S.NOT_ACCEPTED})
# QUEUE: routed to a channel and mediation not yet ended (claim, assign, transfer, the channel queue).
QUEUE_STATUSES = _in_order(set(WORKING_STATUSES) - set(INTAKE_STATUSES))
# ENDED: mediation ended with an end the law names; a supervisor may reopen from these.
ENDED_STATUSES = _in_order({f for f, _t, _o in REOPENS})
# CLOSABLE: ended and not yet closed (awaiting evaluation or closure; a reviewer may be designated).
CLOSABLE_STATUSES = _in_order({f for f, t, _o in TABLE if t == S.CLOSED})
# ACCEPTED: accepted and not refused since (the case has a 受理回执): every status but the one an application
# waits in before the accept move and the refusal (a refused case gets a 不予受理 notice instead).
ACCEPTED_STATUSES = _in_order(
    set(S) - {f for f, t, _o in TABLE if t == S.REGISTERED} - {t for _f, t, o in TABLE if o == O.NOT_ACCEPTED}
)
# BEFORE_MEDIATION: at intake or routed, mediation not begun (a party may still ask for a mediator of choice).
BEFORE_MEDIATION_STATUSES = _in_order(
    set(INTAKE_STATUSES) | {f for f, t, _o in TABLE - REOPENS if t == S.IN_MEDIATION and f != t}
)
# FINISHED: handling is over, an end recorded or acceptance refused (the case has its 卷宗).
FINISHED_STATUSES = _in_order(set(ENDED_STATUSES) | set(TERMINAL_STATUSES))

TIMESTAMP_FIELDS = {
    S.REGISTERED: "accepted_at",
    S.ROUTED: "routed_at",
    S.CONCLUDED: "concluded_at",
    S.CLOSED: "closed_at",
}


def can_move(case: Stated, to: str, outcome: str = "") -> bool:
    return (case.status, to, outcome) in TABLE


def outcomes_from(status: str) -> list[str]:
    """The ends that may be recorded from ``status``, in the order Outcome lists them."""
    allowed = {outcome for source, _to, outcome in TABLE if source == status and outcome}
    return [value for value in O.values if value in allowed]


def move(case: C, to: str, *, outcome: str = "", extra_fields: tuple[str, ...] = ()) -> C:
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
