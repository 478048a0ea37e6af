"""Session participants, agreement signatures, oral agreements, termination notices, evaluations."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from accounts.models import Center
from bench.generate.context import CHINA_OFFSET, CasePlan, Chunk, Context
from bench.generate.copy import reserve_ids
from cases.core import events
from cases.core.models import Status
from cases.lifecycle.models import Evaluation, OralAgreement, Outcome, TerminationNotice
from cases.lifecycle.services import NOTICE_OUTCOMES

# --- Participants, signatures, conclusions, ratings, summonses, supervision (and their events) ---------


def local_day(moment: datetime) -> date:
    return (moment + CHINA_OFFSET).date()


def supervisor_of(ctx: Context, center: Center) -> int | None:
    """A supervisor of the center, or of the nearest center above it that has one (villages have none)."""
    while center is not None:
        staff = ctx.staff.get(center.id)
        if staff and staff.supervisors:
            return staff.supervisors[0]
        center = ctx.centers.get(center.parent_id)
    return None


def evaluator_of(ctx: Context, p: CasePlan) -> int | None:
    return supervisor_of(ctx, p.center)


def county_of(ctx: Context, center: Center) -> int:
    return int(center.path.strip("/").split("/")[0])


def session_party_rows(chunk: Chunk) -> Iterator[dict]:
    """Who took part in each session (the ``parties`` M2M): every party of the case; and the session's
    'session_recorded' event, as record_session writes it."""
    for p in chunk.plans:
        for index, (session_id, started_at) in enumerate(p.sessions):
            for party_id, *_ in p.parties_ids:
                yield {"mediationsession_id": session_id, "party_id": party_id}
            chunk.event(
                p,
                events.SESSION_RECORDED,
                min(started_at + timedelta(hours=2), p.concluded_at or chunk.ctx.now),
                p.mediator_id,
                {
                    "session": session_id,
                    "started_at": started_at.isoformat(),
                    "started_mediation": index == 0,
                },
            )


def session_mediator_rows(chunk: Chunk) -> Iterator[dict]:
    """The mediator of each session (the ``mediators`` M2M; record_session puts the recorder there)."""
    for p in chunk.plans:
        if p.mediator_id:
            for session_id, _started_at in p.sessions:
                yield {"mediationsession_id": session_id, "user_id": p.mediator_id}


def signature_rows(chunk: Chunk) -> Iterator[dict]:
    """Every party's signature on the written agreement, shortly before the mediator signed and the seal
    went on (the last of these made it effective that day), with the drafted / signed / effective events."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    planned = [p for p in chunk.plans if p.agreement_id and p.agreement_signed_at and p.parties_ids]
    for p in planned:
        sealed = p.agreement_signed_at
        parties_signed = sealed - timedelta(minutes=rng.randint(5, 50))
        for party_id, *_ in p.parties_ids:
            yield {
                "agreement_id": p.agreement_id,
                "party_id": party_id,
                "signed_at": parties_signed,
                "recorded_by_id": p.mediator_id,
            }
        effective = local_day(sealed)
        chunk.event(
            p,
            events.AGREEMENT_DRAFTED,
            sealed - timedelta(hours=1),
            p.mediator_id,
            {"agreement": p.agreement_id},
        )
        chunk.event(
            p,
            events.AGREEMENT_SIGNED,
            parties_signed,
            p.mediator_id,
            {
                "agreement": p.agreement_id,
                "parties": [n for _, n, _ in p.parties_ids],
                "mediator": False,
                "seal": False,
            },
        )
        chunk.event(
            p,
            events.AGREEMENT_EFFECTIVE,
            sealed,
            p.mediator_id,
            {
                "agreement": p.agreement_id,
                "parties": [],
                "mediator": True,
                "seal": True,
                "effective_on": effective.isoformat(),
                "confirmation_deadline": ctx.calendar.add_calendar_days(effective, 30).isoformat(),
            },
        )


ORAL_CONTENT = (
    "双方同意由被申请人当场向申请人支付补偿款，申请人不再追究。",
    "双方约定各自退让，按原有界线通行，互不妨碍。",
    "被申请人当面赔礼道歉，双方和好。",
)


def oral_agreement_rows(chunk: Chunk) -> Iterator[dict]:
    """The recorded oral agreement of each case concluded with one (conclude_case writes it)."""
    rng = chunk.ctx.rng
    oral = [p for p in chunk.plans if p.outcome == Outcome.ORAL_AGREEMENT and p.concluded_at]
    ids = iter(reserve_ids(chunk.cursor, OralAgreement, len(oral)))
    for p in oral:
        yield {
            "id": next(ids),
            "case_id": p.id,
            "content": rng.choice(ORAL_CONTENT),
            "agreed_on": local_day(p.concluded_at),
            "recorded_by_id": p.mediator_id,
            "created_at": p.concluded_at,
        }


def termination_notice_rows(chunk: Chunk) -> Iterator[dict]:
    """终止调解通知书 for cases that failed or where a party refused (conclude_case issues one)."""
    rng = chunk.ctx.rng
    ended = [p for p in chunk.plans if p.outcome in NOTICE_OUTCOMES and p.concluded_at]
    ids = iter(reserve_ids(chunk.cursor, TerminationNotice, len(ended)))
    for p in ended:
        failed = p.outcome == Outcome.FAILED
        yield {
            "id": next(ids),
            "case_id": p.id,
            "outcome": p.outcome,
            "reason": "经多次调解双方分歧较大，未能达成协议。"
            if failed
            else "一方当事人明确表示不接受调解。",
            "routes": rng.choice(
                (["court"], ["court"], ["arbitration", "court"], ["administrative", "court"])
            ),
            "issued_on": local_day(p.concluded_at),
            "issued_by_id": p.mediator_id,
            "created_at": p.concluded_at,
        }


def evaluation_rows(chunk: Chunk) -> Iterator[dict]:
    """The evaluation (评估) of every evaluated or closed case, at the time of its 'evaluated' event."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    rated = [p for p in chunk.plans if p.status in (Status.EVALUATED, Status.CLOSED) and p.concluded_at]
    ids = iter(reserve_ids(chunk.cursor, Evaluation, len(rated)))
    for p in rated:
        correct = rng.random() < 0.97
        complete = rng.random() < 0.93
        on_time = (p.concluded_at - p.created_at).days <= 30 or rng.random() < 0.5
        yield {
            "id": next(ids),
            "case_id": p.id,
            "evaluator_id": evaluator_of(ctx, p),
            "outcome_correct": correct,
            "documents_complete": complete,
            "on_time": on_time,
            "comment": "处理结果正确，文书材料齐全。" if correct and complete else "文书材料需补充完善。",
            "created_at": p.concluded_at + ((p.closed_at or ctx.now) - p.concluded_at) / 2,
        }
