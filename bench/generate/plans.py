"""Case plans: the facts every table of a case needs, drawn once per case."""

import random
from datetime import timedelta

from accounts.models import Center
from bench.generate import grassroots
from bench.generate.context import (
    ENDED,
    LEVEL_MIX,
    OPEN,
    OPEN_WARNING_MIX,
    OUTCOME_MIX,
    SOURCE_MIX,
    STATUS_MIX,
    CasePlan,
    Context,
    Staff,
    weighted,
)
from cases.core.models import Status
from cases.core.states import ENDED_STATUSES
from cases.lifecycle.models import Outcome

# --- Plans and per-table generators --------------------------------------------------------


def plan_cases(ctx: Context, ids: list[int]) -> list[CasePlan]:
    rng, now = ctx.rng, ctx.now
    span = ctx.years * 365 * 86400
    plans = []
    for case_id in ids:
        status = weighted(rng, STATUS_MIX)
        is_open = status in OPEN
        # Open cases are recent (the last 90 days); closed ones spread over the years.
        age = rng.random() * (90 * 86400 if is_open else span)
        created = now - timedelta(seconds=age + 3600)
        level = weighted(rng, LEVEL_MIX)
        center = rng.choice(ctx.by_level[level])
        origin = center
        if level == Center.Level.VILLAGE and rng.random() < 0.3:
            origin = ctx.centers[center.parent_id]  # registered at the town, handed down
        staff = ctx.staff.get(center.id) or ctx.staff.get(center.parent_id) or Staff()
        origin_staff = ctx.staff.get(origin.id) or staff
        routed = status not in (Status.SUBMITTED, Status.REGISTERED, Status.NOT_ACCEPTED)
        channel = rng.choice(ctx.channels) if routed else None
        mediator = None
        if routed:
            pool = staff.mediators.get(channel.id) or staff.mediators.get(0) or []
            mediator = rng.choice(pool) if pool else None
        duration = timedelta(days=rng.triangular(1, 75, 20))
        concluded = created + duration if status in ENDED_STATUSES else None
        closed = concluded + timedelta(days=rng.randint(1, 10)) if status == Status.CLOSED else None
        if status == Status.NOT_ACCEPTED:
            closed = created + timedelta(days=rng.randint(1, 15))
        if closed and closed > now:  # a recent case cannot have closed in the future
            closed = now - timedelta(hours=1)
        if concluded and concluded > (closed or now):
            concluded = (closed or now) - timedelta(hours=1)
        plans.append(
            CasePlan(
                id=case_id,
                origin=origin,
                center=center,
                status=status,
                source=weighted(rng, SOURCE_MIX),
                dispute_type=rng.choice(ctx.dispute_types),
                created_at=created,
                warning_level=weighted(rng, OPEN_WARNING_MIX) if is_open else 0,
                channel_id=channel.id if channel else None,
                mediator_id=mediator,
                clerk_id=rng.choice(origin_staff.clerks) if origin_staff.clerks else None,
                closed_at=closed,
                concluded_at=concluded,
                routed_at=created + timedelta(hours=rng.randint(1, 72)) if routed else None,
                n_extra_events=rng.randint(150, 400)
                if rng.random() < ctx.long_timeline_share
                else rng.randint(0, 3),
                # grassroots: about 30% of village cases are quick records, closed by oral agreement
                outcome=grassroots.outcome_for(case_id, center, origin, status, pick_outcome(rng, status)),
                due_at=created + timedelta(days=rng.choice((15, 30, 60))) if is_open else None,
            )
        )
    return plans


def pick_outcome(rng: random.Random, status: str) -> str:
    if status == Status.NOT_ACCEPTED:
        return Outcome.NOT_ACCEPTED
    if status in ENDED:
        return weighted(rng, OUTCOME_MIX)
    return ""
