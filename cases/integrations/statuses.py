"""A case's status in Open311 terms: the standard's open/closed, and mySociety's extended statuses."""

from cases.core.models import Case
from cases.core.states import OPEN_STATUSES, Outcome, Status

# by outcome once mediation has ended (concluded, evaluated, closed)
_ENDED = {
    Outcome.WRITTEN_AGREEMENT: "FIXED",
    Outcome.ORAL_AGREEMENT: "FIXED",
    Outcome.FAILED: "NO_FURTHER_ACTION",
    Outcome.REFUSED: "NO_FURTHER_ACTION",
    Outcome.WITHDRAWN: "NO_FURTHER_ACTION",
    Outcome.TRANSFERRED: "INTERNAL_REFERRAL",
    Outcome.NOT_ACCEPTED: "NOT_COUNCILS_RESPONSIBILITY",
}
_WORKING = {
    Status.SUBMITTED: "OPEN",
    Status.REGISTERED: "INVESTIGATING",
    Status.ROUTED: "ACTION_SCHEDULED",
    Status.IN_MEDIATION: "IN_PROGRESS",
}


def open311_status(case: Case) -> str:
    return "open" if case.status in OPEN_STATUSES else "closed"


def extended_status(case: Case) -> str:
    if case.status == Status.NOT_ACCEPTED:
        return "NOT_COUNCILS_RESPONSIBILITY"
    if case.status in _WORKING:
        return _WORKING[case.status]
    return _ENDED.get(case.outcome, "CLOSED")
