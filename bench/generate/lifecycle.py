"""Lifecycle, routing and warnings tables: assignments, sessions, agreements, visits, clocks, warning changes."""

from collections.abc import Iterator
from datetime import timedelta

from bench.generate.context import CHINA_OFFSET, OPEN, SATISFACTION_MIX, WORKED, Chunk, weighted
from bench.generate.copy import reserve_ids
from cases.core.models import Status
from cases.core.states import WORKING_STATUSES
from cases.lifecycle.models import Agreement, AgreementTerm, FollowUpVisit, MediationSession, Outcome
from cases.warnings.models import CaseClock, WarningChange
from routing.models import CaseAssignment

# --- Lifecycle, routing and warnings tables (one row set per chunk, from the same plans) ---------


def assignment_rows(chunk: Chunk) -> Iterator[dict]:
    """The lead mediator of every case a mediator has taken (in mediation or later). Closing a case
    does not end its assignment (routing ends one only on reassignment, recusal or transfer)."""
    rng = chunk.ctx.rng
    worked = [p for p in chunk.plans if p.status in WORKED and p.mediator_id]
    ids = iter(reserve_ids(chunk.cursor, CaseAssignment, len(worked)))
    for p in worked:
        yield {
            "id": next(ids),
            "case_id": p.id,
            "mediator_id": p.mediator_id,
            "is_lead": True,
            "how": rng.choice(("claim", "claim", "assign", "auto")),
            "assigned_by_id": None,
            "assigned_at": (p.routed_at or p.created_at) + timedelta(minutes=30),
            "ended_at": None,
        }


SESSION_TEXT = {
    "agreed": ("双方在调解员主持下充分陈述意见，就争议事项达成一致。", "达成一致，拟制作调解协议。"),
    "partial": ("双方就主要事实达成共识，赔偿金额仍有分歧。", "部分达成一致，约定再次调解。"),
    "failed": ("双方分歧较大，一方坚持原有诉求。", "未达成一致。"),
}


OTHER_PARTICIPANTS = ("",) * 6 + ("村委会干部", "当事人亲属", "律师", "人民陪审员", "网格员")


def session_rows(chunk: Chunk) -> Iterator[dict]:
    """1–3 mediation sessions per worked case; the last one agrees when the case ended in an agreement."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    planned = []
    for p in chunk.plans:
        if p.status not in WORKED:
            continue
        n = rng.choice((1, 1, 2, 2, 3))
        start = (p.routed_at or p.created_at) + timedelta(hours=2)
        end = p.concluded_at or ctx.now
        for i in range(n):
            last = i == n - 1
            if p.outcome in (Outcome.WRITTEN_AGREEMENT, Outcome.ORAL_AGREEMENT) and last:
                outcome = "agreed"
            elif p.outcome in (Outcome.FAILED, Outcome.REFUSED, Outcome.TRANSFERRED) and last:
                outcome = "failed"
            else:
                outcome = rng.choice(("partial", "failed", "partial", ""))
            moment = start + (end - start) * ((i + rng.random()) / n)
            planned.append((p, moment, outcome))
    ids = iter(reserve_ids(chunk.cursor, MediationSession, len(planned)))
    for p, moment, outcome in planned:
        discussion, result = SESSION_TEXT.get(outcome or "partial")
        session_id = next(ids)
        p.sessions.append((session_id, moment))
        yield {
            "id": session_id,
            "case_id": p.id,
            "started_at": moment,
            "mode": rng.choice(("in_person", "in_person", "in_person", "online", "phone")),
            "place": f"{p.center.short_name}调解室",
            "discussion": discussion,
            "result": result if outcome else "",
            "outcome": outcome,
            "other_participants": rng.choice(OTHER_PARTICIPANTS),
            "recorded_by_id": p.mediator_id,
            "created_at": moment,
            "updated_at": moment,
        }


def agreement_rows(chunk: Chunk) -> Iterator[dict]:
    """A signed and sealed written agreement for each case that ended with one."""
    written = [p for p in chunk.plans if p.outcome == Outcome.WRITTEN_AGREEMENT and p.concluded_at]
    ids = iter(reserve_ids(chunk.cursor, Agreement, len(written)))
    for p in written:
        p.agreement_id = next(ids)
        signed = p.agreement_signed_at = p.concluded_at
        yield {
            "id": p.agreement_id,
            "case_id": p.id,
            "facts": f"{p.dispute_type.name}纠纷，双方当事人对基本事实无异议。",
            "issues": "赔偿金额及履行方式。",
            "responsibilities": "双方对纠纷的发生均负有一定责任，被申请人负主要责任。",
            "mediator_signed_at": signed,
            "mediator_signed_by_id": p.mediator_id,
            "sealed_at": signed,
            "effective_on": (signed + CHINA_OFFSET).date(),
            "voided": False,
            "drafted_by_id": p.mediator_id,
            "created_at": signed - timedelta(hours=1),
            "updated_at": signed,
        }


def term_rows(chunk: Chunk) -> Iterator[dict]:
    """1–3 terms per written agreement, some paid at once, some by a later date."""
    rng = chunk.ctx.rng
    planned = [(p, rng.randint(1, 3)) for p in chunk.plans if p.agreement_id]
    ids = iter(reserve_ids(chunk.cursor, AgreementTerm, sum(n for _, n in planned)))
    for p, n in planned:
        effective = (p.concluded_at + CHINA_OFFSET).date()
        for order in range(1, n + 1):
            later = rng.random() < 0.4
            yield {
                "id": next(ids),
                "agreement_id": p.agreement_id,
                "order": order,
                "content": f"被申请人向申请人支付赔偿款人民币{rng.randint(1, 200) * 500}元。",
                "performance": "分期支付" if later else "当场履行",
                "due_on": effective + timedelta(days=rng.randint(15, 90)) if later else effective,
            }


def visit_rows(chunk: Chunk) -> Iterator[dict]:
    """A follow-up visit (回访) per closed case, due 15 days after closing: mostly made, with the party's
    satisfaction; not yet made for the most recent closings, and overdue for a few."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    closed = [p for p in chunk.plans if p.status == Status.CLOSED and p.closed_at]
    ids = iter(reserve_ids(chunk.cursor, FollowUpVisit, len(closed)))
    for p in closed:
        due = (p.closed_at + CHINA_OFFSET).date() + timedelta(days=15)
        recent = (ctx.now - p.closed_at).days < 20
        made = rng.random() < (0.5 if recent else 0.97)  # the rest: pending (or overdue once due)
        visited = p.closed_at + timedelta(days=rng.uniform(3, 15)) if made else None
        if visited and visited > ctx.now:
            visited = ctx.now - timedelta(minutes=5)
        row = {"id": next(ids), "case_id": p.id, "reason": "after_closing", "due_on": due}
        if visited:
            written = p.outcome == Outcome.WRITTEN_AGREEMENT
            row.update(
                visited_at=visited,
                visitor_id=p.mediator_id,
                method=rng.choice(("phone", "phone", "phone", "in_person", "online")),
                performance=rng.choice(("performed",) * 8 + ("performing", "broken")) if written else "na",
                satisfaction=weighted(rng, SATISFACTION_MIX),
                notes="当事人表示协议已履行，对调解工作满意。" if written else "电话回访当事人，情况稳定。",
            )
        row["created_at"] = p.closed_at
        yield row


def clock_rows(chunk: Chunk) -> Iterator[dict]:
    """The 'handling' clock (调解期限) of accepted cases: running with its due time for open cases, stopped
    at conclusion for cases concluded in the last year (the dashboard's on-time rate reads those)."""
    ctx = chunk.ctx
    policy = ctx.handling_clock
    year_ago = ctx.now - timedelta(days=365)
    chosen = [
        p
        for p in chunk.plans
        if p.status not in (Status.SUBMITTED, Status.NOT_ACCEPTED)
        and (p.status in OPEN or (p.concluded_at and p.concluded_at >= year_ago))
    ]
    ids = iter(reserve_ids(chunk.cursor, CaseClock, len(chosen)))
    for p in chosen:
        started = p.created_at
        due = p.due_at or started + timedelta(days=30)
        stopped = p.concluded_at if p.status not in WORKING_STATUSES else None
        yield {
            "id": next(ids),
            "case_id": p.id,
            "policy_clock_id": policy.id if policy else None,
            "code": "handling",
            "name": "调解期限",
            "unit": "calendar_days",
            "length": max(1, (due - started).days),
            "stop_trigger": "concluded",
            "pausable": True,
            "max_extensions": 1,
            "max_extension_length": 30,
            "citizen_facing": True,
            "started_at": started,
            "due_at": due,
            "provisional": False,
            "stopped_at": stopped,
            "stop_reason": "concluded" if stopped else "",
        }


def warning_change_rows(chunk: Chunk) -> Iterator[dict]:
    """The change that put an open case at its current warning level (the dashboard's 'newly escalated')."""
    rng = chunk.ctx.rng
    raised = [p for p in chunk.plans if p.status in OPEN and p.warning_level]
    ids = iter(reserve_ids(chunk.cursor, WarningChange, len(raised)))
    for p in raised:
        yield {
            "id": next(ids),
            "case_id": p.id,
            "seq": 1,
            "from_level": 0,
            "to_level": p.warning_level,
            "basis": rng.choice(("time", "time", "risk")),
            "reason": "办理期限临近" if p.warning_level <= 2 else "超过办理期限或存在重大风险",
            "actor_id": None,
            "response_due_at": None,
            "created_at": p.created_at + timedelta(hours=2),
        }
