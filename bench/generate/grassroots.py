"""Quick records (grassroots, issue 23) in the generated data: about 30% of the cases of villages are disputes
settled on the spot — registered and handled at the village, closed with an oral agreement — each with its
``grassroots.Entry`` row. Chosen by the case id (no draw from the generator's random sequence, so every other
table stays as it was); their outcome becomes the oral agreement (``plans.py``)."""

from collections.abc import Iterator

from accounts.models import Center
from bench.generate.copy import reserve_ids
from cases.core.states import Outcome, Status
from grassroots.models import Entry

# Of the cases handled at a village, 70% were registered there (30% are handed down by the town) and 86% of
# those are closed: half of these, 0.7 × 0.86 × 0.5 ≈ 30% of the village's cases, are quick records.
QUICK_SHARE_OF_CLOSED = 50


def is_quick_record(case_id: int, center: Center, origin: Center, status: str) -> bool:
    return (
        status == Status.CLOSED
        and center.level == Center.Level.VILLAGE
        and origin.id == center.id
        and (case_id * 2654435761) % 100 < QUICK_SHARE_OF_CLOSED
    )


def outcome_for(case_id: int, center: Center, origin: Center, status: str, drawn: str) -> str:
    return Outcome.ORAL_AGREEMENT.value if is_quick_record(case_id, center, origin, status) else drawn


def entry_rows(chunk) -> Iterator[dict]:
    """One Entry per quick record, recorded by the case's mediator (or, lacking one, its clerk)."""
    quick = [
        p
        for p in chunk.plans
        if is_quick_record(p.id, p.center, p.origin, p.status)
        and p.outcome == Outcome.ORAL_AGREEMENT
        and (p.mediator_id or p.clerk_id)
    ]
    ids = iter(reserve_ids(chunk.cursor, Entry, len(quick)))
    for p in quick:
        yield {
            "id": next(ids),
            "kind": Entry.Kind.QUICK_RECORD.value,
            "case_id": p.id,
            "grid_area_id": None,
            "recorded_by_id": p.mediator_id or p.clerk_id,
            "client_token": None,
            "created_at": p.created_at,
        }
