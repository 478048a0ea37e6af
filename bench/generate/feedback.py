"""Ratings and their citizens, summonses, supervision orders, conferences, and the queued events."""

from collections.abc import Iterator
from datetime import timedelta

from accounts.models import User
from bench.generate.context import OPEN, SATISFACTION_MIX, Chunk, Staff, weighted
from bench.generate.copy import reserve_ids
from bench.generate.participants import county_of, supervisor_of
from bench.generate.rows import timeline_rows
from cases.core import events
from cases.core.models import Status
from cases.portal.models import Rating
from cases.portal.services import BAD_RATING_MAX
from cases.warnings.models import CaseConference, SupervisionOrder
from routing import events as routing_events
from routing.models import Summons

RATING_COMMENTS = {
    5: "调解员很耐心，问题解决了。",
    4: "总体满意。",
    3: "",
    2: "办理时间太长。",
    1: "对调解结果不满意。",
}


def citizen_rows(chunk: Chunk) -> Iterator[dict]:
    """好差评 come from citizens signed in on the portal: about a third of closed cases are rated by the
    applicant, some by the respondent too (one rating per party). Each rating party gets its citizen
    account (as sign-in by phone makes one: kind citizen, the party's phone, no usable password)."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    planned = []
    for p in chunk.plans:
        if p.status != Status.CLOSED or not p.closed_at:
            continue
        for index, (party_id, _name, phone) in enumerate(p.parties_ids):
            if phone and rng.random() < (0.35 if index == 0 else 0.12):
                moment = min(
                    p.closed_at + timedelta(hours=rng.uniform(1, 360)), ctx.now - timedelta(minutes=1)
                )
                planned.append((p, party_id, phone, moment, weighted(rng, SATISFACTION_MIX)))
    ids = iter(reserve_ids(chunk.cursor, User, len(planned)))
    for p, party_id, phone, moment, score in planned:
        user_id = next(ids)
        p.ratings.append((party_id, user_id, moment, score))
        yield {
            "id": user_id,
            "username": f"citizen-p{party_id}",
            "password": "!bench",  # unusable: citizens sign in with a texted code
            "kind": User.Kind.CITIZEN,
            "phone": phone,
            "display_name": f"群众 {phone[-4:]}",
            "date_joined": moment - timedelta(minutes=10),
            "last_login": moment - timedelta(minutes=5),
        }


def rating_rows(chunk: Chunk) -> Iterator[dict]:
    """The ratings drawn by ``citizen_rows``; bad ones (不满意 or worse) are flagged as rate_case does,
    and most flagged ones older than a week were followed up by a supervisor."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    planned = [(p, *r) for p in chunk.plans for r in p.ratings]
    ids = iter(reserve_ids(chunk.cursor, Rating, len(planned)))
    for p, party_id, user_id, moment, score in planned:
        flagged = score <= BAD_RATING_MAX
        row = {
            "id": next(ids),
            "case_id": p.id,
            "party_id": party_id,
            "citizen_id": user_id,
            "score": score,
            "comment": RATING_COMMENTS[score],
            "created_at": moment,
            "flagged": flagged,
        }
        if flagged and ctx.now - moment > timedelta(days=7) and rng.random() < 0.8:
            row.update(
                followed_up_at=moment + timedelta(days=rng.uniform(1, 7)),
                followed_up_by_id=supervisor_of(ctx, p.center),
                follow_up_note="已电话联系当事人，解释处理依据，当事人表示理解。",
            )
        label = str(Rating.Score(score).label)
        chunk.event(
            p, events.CASE_RATED, moment, user_id, {"score": score, "label": label, "flagged": flagged}
        )
        yield row


SUMMONS_NOTES = ("请派员参加调解，提供政策依据。", "请协助核实相关事实。", "请到场说明处理意见。")


def summons_rows(chunk: Chunk) -> Iterator[dict]:
    """中心吹哨、部门报到: 6% of routed cases summon one or two departments of their county with a 48-hour
    deadline; those of ended cases were answered (mostly done, some declined), those of open cases are
    pending (overdue once past the deadline), accepted, done or declined. Events as routing's services."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    planned = []
    for p in chunk.plans:
        if not p.routed_at or p.status == Status.NOT_ACCEPTED or rng.random() >= 0.06:
            continue
        departments = ctx.departments.get(county_of(ctx, p.center))
        if not departments:
            continue
        end = min(p.concluded_at or ctx.now, ctx.now - timedelta(hours=1))
        if end <= p.routed_at:
            continue
        summoned = p.routed_at + (end - p.routed_at) * rng.uniform(0.05, 0.6)
        chosen = rng.sample(departments, k=min(len(departments), rng.choice((1, 1, 1, 2))))
        planned.append((p, summoned, end, chosen))
    ids = iter(reserve_ids(chunk.cursor, Summons, sum(len(c) for *_, c in planned)))
    for p, summoned, end, chosen in planned:
        deadline = summoned + timedelta(hours=48)
        note = rng.choice(SUMMONS_NOTES)
        chunk.event(
            p,
            routing_events.SUMMONED,
            summoned,
            p.mediator_id,
            {"departments": [name for _, name in chosen], "deadline": deadline.isoformat(), "reason": note},
        )
        ended = p.status not in OPEN
        for department_id, name in chosen:
            summons_id = next(ids)
            liaison = ctx.liaisons.get(department_id)
            state = weighted(
                rng,
                [("done", 80), ("declined", 15), ("accepted", 5)]
                if ended
                else [("pending", 25), ("accepted", 30), ("done", 35), ("declined", 10)],
            )
            # A few answer late (after the 48 hours); all before the case ended.
            responded = min(
                summoned + timedelta(hours=rng.triangular(0.5, 72, 8)), summoned + (end - summoned) / 2
            )
            row = {
                "id": summons_id,
                "case_id": p.id,
                "department_id": department_id,
                "state": state,
                "note": note,
                "deadline": deadline,
                "summoned_by_id": p.mediator_id,
                "summoned_at": summoned,
            }
            data = {"department": name, "summons_id": summons_id}
            if state != "pending":
                row.update(responded_by_id=liaison, responded_at=responded)
            if state == "declined":
                row["decline_reason"] = "该事项不属于本部门职责范围。"
                chunk.event(
                    p,
                    routing_events.SUMMONS_DECLINED,
                    responded,
                    liaison,
                    {**data, "reason": row["decline_reason"]},
                )
            elif state in ("accepted", "done"):
                chunk.event(p, routing_events.SUMMONS_ACCEPTED, responded, liaison, data)
            if state == "done":
                acted = min(
                    responded + timedelta(hours=rng.uniform(2, 96)), responded + (end - responded) * 0.9
                )
                action = "已派员参加调解，并就相关政策作出解释。"
                row.update(action_taken=action, action_at=acted)
                chunk.event(p, routing_events.SUMMONS_ACTION, acted, liaison, {**data, "reason": action})
            yield row


SUPERVISED_SHARE = {3: 0.3, 4: 0.6}  # open orange / red cases with a supervision order


def supervision_rows(chunk: Chunk) -> Iterator[dict]:
    """督办单 on open red and orange cases (60% / 30%), to the lead mediator or else the channel, consistent
    with the level the sweep computes: on an orange case an order is never overdue (that would make it red);
    on a red one it may be. Issued, acknowledged or reported back, with warnings' events."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    planned = []
    for p in chunk.plans:
        if p.status not in OPEN or p.warning_level < 3 or not (p.mediator_id or p.channel_id):
            continue
        if rng.random() >= SUPERVISED_SHARE[p.warning_level]:
            continue
        issued = p.created_at + (ctx.now - p.created_at) * rng.uniform(0.2, 0.8)
        planned.append((p, issued))
    ids = iter(reserve_ids(chunk.cursor, SupervisionOrder, len(planned)))
    for p, issued in planned:
        order_id = next(ids)
        if p.warning_level == 4:
            deadline = issued + timedelta(days=rng.uniform(1, 7))
        else:
            deadline = ctx.now + timedelta(days=rng.uniform(0.5, 5))
        state = weighted(rng, [("issued", 30), ("acknowledged", 40), ("reported", 30)])
        answerer = p.mediator_id
        if answerer is None:
            staff = ctx.staff.get(p.center.id) or ctx.staff.get(p.center.parent_id) or Staff()
            pool = staff.mediators.get(p.channel_id) or staff.mediators.get(0) or [None]
            answerer = pool[0]
        issuer = supervisor_of(ctx, p.center)
        row = {
            "id": order_id,
            "case_id": p.id,
            "issued_by_id": issuer,
            "recipient_id": p.mediator_id,
            "channel_id": None if p.mediator_id else p.channel_id,
            "instructions": "请于期限内联系双方当事人，落实稳控措施并反馈化解进展。",
            "deadline": deadline,
            "state": state,
            "created_at": issued,
        }
        if p.mediator_id:
            recipient = ctx.names.get(p.mediator_id, "")
        else:
            recipient = next((str(c) for c in ctx.channels if c.pk == p.channel_id), "")
        chunk.event(
            p,
            events.ORDER_ISSUED,
            issued,
            issuer,
            {"order": order_id, "recipient": recipient, "deadline": deadline.isoformat()},
        )
        if state != "issued":
            acknowledged = issued + (min(deadline, ctx.now) - issued) * rng.uniform(0.05, 0.4)
            row.update(acknowledged_at=acknowledged, acknowledged_by_id=answerer)
            chunk.event(p, events.ORDER_ACKNOWLEDGED, acknowledged, answerer, {"order": order_id})
            if state == "reported":
                reported = acknowledged + (min(deadline, ctx.now) - acknowledged) * rng.uniform(0.2, 0.95)
                report = "已约谈双方当事人，落实稳控措施，化解工作正在推进。"
                row.update(report=report, reported_at=reported, reported_by_id=answerer)
                chunk.event(
                    p,
                    events.ORDER_REPORTED,
                    reported,
                    answerer,
                    {"order": order_id, "on_time": reported <= deadline},
                )
        yield row


CONFERENCE_SHARE = {3: 0.15, 4: 0.4}  # open orange / red cases with a joint conference (会商研判)


def conference_rows(chunk: Chunk) -> Iterator[dict]:
    """会商研判 on some open red and orange cases: the supervisor with the departments concerned."""
    ctx, rng = chunk.ctx, chunk.ctx.rng
    chosen = [
        p
        for p in chunk.plans
        if p.status in OPEN and p.warning_level >= 3 and rng.random() < CONFERENCE_SHARE[p.warning_level]
    ]
    ids = iter(reserve_ids(chunk.cursor, CaseConference, len(chosen)))
    for p in chosen:
        conference_id = next(ids)
        held = p.created_at + (ctx.now - p.created_at) * rng.uniform(0.3, 0.9)
        recorder = supervisor_of(ctx, p.center)
        names = [name for _, name in ctx.departments.get(county_of(ctx, p.center), [])[:3]]
        chunk.event(
            p,
            events.CONFERENCE_RECORDED,
            held + timedelta(hours=1),
            recorder,
            {"conference": conference_id},
        )
        yield {
            "id": conference_id,
            "case_id": p.id,
            "held_at": held,
            "participants": "、".join(["中心分管领导", "主办调解员", *names]),
            "decisions": "明确由主办调解员牵头，相关部门三日内提供政策意见，同步落实稳控措施。",
            "recorded_by_id": recorder,
            "created_at": held + timedelta(hours=1),
        }


def pending_event_rows(chunk: Chunk) -> Iterator[dict]:
    """The timeline events the tables above queued in this chunk (written after them, in one COPY)."""
    events, chunk.events[:] = list(chunk.events), []
    yield from timeline_rows(chunk, events)
