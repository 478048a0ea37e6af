"""The first tables of a case: the case row and its timeline (built from registered event types only)."""

from collections.abc import Iterator
from datetime import timedelta

from django.core.management.base import CommandError

from bench.generate.context import (
    CHINA_OFFSET,
    CLOSING_SUMMARY,
    COMPANY_WORDS,
    OPEN,
    PLACE_WORDS,
    SUMMARIES,
    Chunk,
)
from bench.generate.copy import reserve_ids
from bench.generate.participants import evaluator_of
from bench.generate.people import person_name
from cases.core import events, timeline
from cases.core.models import Status, TimelineEvent
from cases.intake.services import TRACKING_ALPHABET, TRACKING_LENGTH
from routing import events as routing_events


def case_rows(chunk: Chunk) -> Iterator[dict]:
    ctx, rng = chunk.ctx, chunk.ctx.rng
    for p in chunk.plans:
        year = (p.created_at + CHINA_OFFSET).year
        key = (p.origin.id, year)
        serial = ctx.serials[key] = ctx.serials.get(key, 0) + 1
        ctx.touched.add(key)
        applicant = person_name(rng)
        respondent = person_name(rng)
        if rng.random() < 0.2:
            respondent = f"{rng.choice(PLACE_WORDS)}{rng.choice(COMPANY_WORDS)}有限公司"
        p.parties = [{"name": applicant}, {"name": respondent}]
        n = rng.randint(2, 30)
        is_open = p.status in OPEN
        red = p.warning_level == 4
        amount = round(rng.lognormvariate(9, 1.5), 2) if rng.random() < 0.6 else None
        response_due = p.created_at + timedelta(days=3) if is_open else None
        due = p.due_at
        yield {
            "id": p.id,
            "number": f"({year}){p.origin.short_name}矛调字第{serial}号",
            "year": year,
            "serial": serial,
            "tracking_code": "".join(rng.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH)),
            "origin_center_id": p.origin.id,
            "center_id": p.center.id,
            "status": p.status,
            "outcome": p.outcome,
            "source": p.source,
            "dispute_type_id": p.dispute_type.id,
            "summary": rng.choice(SUMMARIES.get(p.dispute_type.code, SUMMARIES["other"])).format(
                a=applicant, b=respondent, n=n
            ),
            "claims": "请求依法调解，维护合法权益。",
            "amount": amount,
            "people_count": n if p.dispute_type.code == "labour" else rng.choice((1, 2, 2, 3)),
            "place": f"{p.center.name[:12]}{rng.choice(PLACE_WORDS)}路{rng.randint(1, 300)}号",
            "is_group": p.dispute_type.code == "labour" and n >= 5,
            "risk_violence": red and rng.random() < 0.5,
            "risk_mass_incident": p.warning_level >= 3 and rng.random() < 0.3,
            "risk_upward_petition": p.source == "petition_system" and rng.random() < 0.3,
            "police_calls": rng.choice((0, 0, 0, 1, 2)) if p.dispute_type.code == "neighbour" else 0,
            "channel_id": p.channel_id,
            "priority": 1 if p.warning_level >= 3 else 0,
            "warning_level": p.warning_level,
            "risk_level": p.warning_level if rng.random() < 0.5 else 0,
            "time_level": p.warning_level,
            "response_due_at": response_due,
            "due_at": due,
            # The sweep has run: open cases are next looked at within the day (the sweep benchmark makes some due).
            "next_check_at": ctx.now + timedelta(minutes=rng.randint(1, 1440)) if is_open else None,
            "registered_by_id": p.clerk_id if p.source in ("counter", "phone") else None,
            "external_system": "hotline_12345" if p.source == "hotline_12345" else "",
            "external_id": f"H{p.id:010d}" if p.source == "hotline_12345" else "",
            "money_covered": amount if p.status == Status.CLOSED and amount else None,
            "prevented_criminal": p.status == Status.CLOSED and rng.random() < 0.02,
            "prevented_group_petition": p.status == Status.CLOSED and rng.random() < 0.01,
            "closing_summary": CLOSING_SUMMARY.get(p.outcome, "") if p.status == Status.CLOSED else "",
            "created_at": p.created_at,
            "updated_at": p.closed_at or p.created_at,
            "accepted_at": None if p.status in (Status.SUBMITTED, Status.NOT_ACCEPTED) else p.created_at,
            "routed_at": p.routed_at,
            "concluded_at": p.concluded_at,
            "closed_at": p.closed_at,
        }


# Every code a timeline row carries is a registered event type's (cases.core.timeline.REGISTRY), as the
# services declare them, so a generated timeline shows each event's label, never a raw code.
REGISTERED, SUBMITTED, NOT_ACCEPTED = events.REGISTERED, events.SUBMITTED, events.NOT_ACCEPTED
ROUTED, ASSIGNED = routing_events.ROUTED, routing_events.ASSIGNED
CONCLUDED, EVALUATED, CLOSED = events.CONCLUDED, events.EVALUATED, events.CLOSED
LEVEL_CHANGED = events.LEVEL_CHANGED
# The long timelines' filler (a mediator's calls and notes between the milestones): events the services
# write with no row of their own, so none is missing its session, visit or order. A call reads the
# party's full phone number (查看完整证件号/电话), notes update the risk factors (更新风险因素), and the
# level moves (预警等级变更). (Until issue 14 the generator wrote six undeclared codes here.)
FILLER = (events.SENSITIVE_REVEALED, events.RISK_UPDATED, events.LEVEL_CHANGED)


def event_rows(chunk: Chunk) -> Iterator[dict]:
    """The events a case at its status has been through, plus notes and warning changes; a few very long."""
    rng = chunk.ctx.rng
    planned = []
    for p in chunk.plans:
        t = p.created_at
        case_events = [
            ((SUBMITTED if p.status == Status.SUBMITTED else REGISTERED).code, t, p.clerk_id, True, {})
        ]
        if p.status == Status.NOT_ACCEPTED:
            case_events.append(
                (NOT_ACCEPTED.code, p.closed_at, p.clerk_id, True, {"reason": "不属于人民调解受理范围"})
            )
        if p.routed_at:
            case_events.append((ROUTED.code, p.routed_at, p.clerk_id, True, {"channel": p.channel_id}))
            case_events.append(
                (ASSIGNED.code, p.routed_at + timedelta(minutes=30), None, False, {"to": p.mediator_id})
            )
        start = p.routed_at or t
        end = p.concluded_at or p.closed_at or chunk.ctx.now
        for _ in range(p.n_extra_events):
            moment = start + (end - start) * rng.random()
            kind = rng.choice(FILLER).code
            case_events.append((kind, moment, p.mediator_id, False, {"note": "电话联系当事人，了解诉求"}))
        if p.warning_level:
            # The change warning_change_rows writes (0 → the case's level, by the rules, two hours in).
            reason = "办理期限临近" if p.warning_level <= 2 else "超过办理期限或存在重大风险"
            data = {"from": 0, "to": p.warning_level, "reason": reason, "set_by": "rule"}
            case_events.append((LEVEL_CHANGED.code, t + timedelta(hours=2), None, False, data))
        if p.concluded_at:
            case_events.append((CONCLUDED.code, p.concluded_at, p.mediator_id, True, {"outcome": p.outcome}))
        if p.status in (Status.EVALUATED, Status.CLOSED):
            evaluated = p.concluded_at + ((p.closed_at or chunk.ctx.now) - p.concluded_at) / 2
            case_events.append((EVALUATED.code, evaluated, evaluator_of(chunk.ctx, p), False, {}))
        if p.status == Status.CLOSED:
            case_events.append((CLOSED.code, p.closed_at, p.mediator_id, True, {}))
        planned.append((p.id, case_events))
    yield from timeline_rows(
        chunk, [(case_id, *event) for case_id, case_events in planned for event in case_events]
    )


def check_event_types(codes) -> None:
    """Refuse a timeline row whose type no service declared (the case page would show its raw code)."""
    unknown = set(codes) - timeline.REGISTRY.keys()
    if unknown:
        raise CommandError(
            f"generate_data: timeline codes that are no registered event type: {sorted(unknown)}"
        )


def timeline_rows(chunk: Chunk, events: list[tuple]) -> Iterator[dict]:
    """TimelineEvent rows from ``(case_id, type, created_at, actor_id, is_public, data)`` tuples; every type
    must be a registered event type (checked for the whole batch before the first row)."""
    check_event_types({event[1] for event in events})
    ids = iter(reserve_ids(chunk.cursor, TimelineEvent, len(events)))
    for case_id, kind, moment, actor, public, data in events:
        yield {
            "id": next(ids),
            "case_id": case_id,
            "type": kind,
            "actor_id": actor,
            "created_at": moment,
            "is_public": public,
            "data": data,
        }
