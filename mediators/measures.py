"""Fair measures (调解员/工作室考核) for a period: per mediator and per studio or team, over the cases they
concluded as lead in it — cases handled, success rate (a written or oral agreement), on-time rate
(``handling_on_time``: of the cases with a legal deadline, those concluded by it), satisfaction (the parties' ratings and the follow-up visits, one five-point
scale), average days from acceptance to conclusion, and a difficulty-weighted count (type weight × risk weight,
``DifficultyWeight``, 1 where none is set).

A case counts for the mediator who was its lead when it concluded (the lead assignment still active, or
ended after the conclusion), and for the studio or team that held it then. Five queries whatever the size.

On time (按期办结) is read from the case's clocks, as the dashboard's 按期办结率 reads it: the handling clock
(调解期限, the legal deadline with its pauses and approved extensions) stopped by the conclusion or closing on
or before its due time. A case without a stopped handling clock had no deadline to meet: it is left out of the
on-time rate (``Figures.timed`` counts the cases that had one). ``Case.due_at`` cannot answer it: the sweep
clears it once no clock runs, that is as soon as the case concludes. The recommendation's track record
(``ranking``) uses this same rule.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.access import roles_of
from accounts.models import Membership, User
from cases.core.access import is_staff_user
from cases.core.states import Outcome
from cases.lifecycle.models import FollowUpVisit
from cases.portal.models import Rating
from cases.warnings.models import CaseClock, ClockTrigger
from routing.models import CaseAssignment

from .models import DifficultyWeight, GroupAssignment, MediationGroup

Role = Membership.Role
RESOLVED = set(Outcome.resolved())


@dataclass
class Figures:
    key: int
    name: str
    handled: int = 0
    resolved: int = 0
    timed: int = 0  # the cases handled that had a legal deadline (a stopped handling clock)
    on_time: int = 0
    days_total: float = 0.0
    weighted: Decimal = Decimal(0)
    scores: list[int] = field(default_factory=list)
    ratings: int = 0
    visits: int = 0

    @property
    def success_rate(self) -> float | None:
        return self.resolved / self.handled if self.handled else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.timed if self.timed else None

    @property
    def satisfaction(self) -> float | None:
        return sum(self.scores) / len(self.scores) if self.scores else None

    @property
    def average_days(self) -> float | None:
        return self.days_total / self.handled if self.handled else None


@dataclass
class Measures:
    start: date
    end: date  # inclusive
    mediators: list[Figures]
    groups: list[Figures]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone),
    )


def scope_center_ids(user: User) -> list[int] | None:
    """The centers whose cases a supervisor's measures cover; None for a user who sees only their own."""
    if not is_staff_user(user):
        return []
    roles = roles_of(user)
    if roles.has(Role.SUPERVISOR, Role.ADMIN):
        return roles.subtree_center_ids(Role.SUPERVISOR, Role.ADMIN)
    return None


def handling_on_time(case_ref: str = "case_id") -> Subquery:
    """Whether the case ``case_ref`` names was concluded on time: True if its handling clock stopped (concluded
    or closed) on or before its due time, False if after, None if it has no stopped handling clock (no legal
    deadline to meet). One probe of the clocks' (case, code) unique index per case."""
    clock = CaseClock.objects.filter(
        case_id=OuterRef(case_ref),
        code="handling",
        stop_reason__in=[ClockTrigger.CONCLUDED, ClockTrigger.CLOSED],
        stopped_at__isnull=False,
    )
    hit = ExpressionWrapper(Q(stopped_at__lte=F("due_at")), output_field=BooleanField())
    return Subquery(clock.order_by().annotate(hit=hit).values("hit")[:1], output_field=BooleanField())


CASE_FIELDS = (
    "case_id",
    "case__outcome",
    "on_time",
    "case__concluded_at",
    "case__accepted_at",
    "case__created_at",
    "case__dispute_type_id",
    "case__risk_level",
)


def _lead_at_conclusion() -> Q:
    return Q(ended_at__isnull=True) | Q(ended_at__gte=F("case__concluded_at"))


def measures_for(user: User, start: date, end: date) -> Measures:
    """The figures the user may see: a supervisor's centers' mediators and studios, a mediator's own."""
    since, until = _bounds(start, end)
    centers = scope_center_ids(user)
    period = Q(case__concluded_at__gte=since, case__concluded_at__lt=until)
    assignments = CaseAssignment.objects.filter(period, _lead_at_conclusion(), is_lead=True)
    groups = GroupAssignment.objects.filter(period, _lead_at_conclusion())
    if centers is None:
        assignments = assignments.filter(mediator=user)
        groups = groups.none()
    else:
        assignments = assignments.filter(case__center_id__in=centers)
        groups = groups.filter(case__center_id__in=centers)
    mediator_rows = list(
        assignments.annotate(on_time=handling_on_time()).values_list(
            "mediator_id", "mediator__display_name", "mediator__username", *CASE_FIELDS
        )
    )
    group_rows = list(
        groups.annotate(on_time=handling_on_time()).values_list(
            "group_id", "group__name", "group__kind", *CASE_FIELDS
        )
    )
    case_ids = {row[3] for row in mediator_rows} | {row[3] for row in group_rows}
    scores = _scores(case_ids)
    weights = _weights()
    return Measures(
        start,
        end,
        _figures(mediator_rows, scores, weights),
        _figures(group_rows, scores, weights),
    )


def _scores(case_ids: set[int]) -> dict[int, tuple[list[int], int, int]]:
    """Per case: every score (ratings and visits), and how many ratings and visits."""
    found: dict[int, tuple[list[int], int, int]] = defaultdict(lambda: ([], 0, 0))
    ids = list(case_ids)
    for case_id, score in Rating.objects.filter(case_id__in=ids).values_list("case_id", "score"):
        values, r, v = found[case_id]
        found[case_id] = (values + [score], r + 1, v)
    visits = FollowUpVisit.objects.filter(
        case_id__in=ids, visited_at__isnull=False, satisfaction__isnull=False
    )
    for case_id, score in visits.values_list("case_id", "satisfaction"):
        values, r, v = found[case_id]
        found[case_id] = (values + [score], r, v + 1)
    return found


def _weights() -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    by_type, by_risk = {}, {}
    for type_id, risk, weight in DifficultyWeight.objects.values_list(
        "dispute_type_id", "risk_level", "weight"
    ):
        if type_id is not None:
            by_type[type_id] = weight
        else:
            by_risk[risk] = weight
    return by_type, by_risk


def case_weight(type_id: int, risk_level: int, weights) -> Decimal:
    by_type, by_risk = weights
    return by_type.get(type_id, Decimal(1)) * by_risk.get(risk_level, Decimal(1))


def _figures(rows, scores, weights) -> list[Figures]:
    found: dict[int, Figures] = {}
    seen: set[tuple[int, int]] = set()
    for (
        key,
        name,
        fallback,
        case_id,
        outcome,
        on_time,
        concluded_at,
        accepted_at,
        created_at,
        type_id,
        risk,
    ) in rows:
        if (key, case_id) in seen:
            continue
        seen.add((key, case_id))
        f = found.setdefault(key, Figures(key, name or fallback))
        f.handled += 1
        f.resolved += outcome in RESOLVED
        if on_time is not None:
            f.timed += 1
            f.on_time += bool(on_time)
        f.days_total += (concluded_at - (accepted_at or created_at)).total_seconds() / 86400
        f.weighted += case_weight(type_id, risk, weights)
        values, r, v = scores.get(case_id, ([], 0, 0))
        f.scores += values
        f.ratings += r
        f.visits += v
    return sorted(found.values(), key=lambda f: (-f.weighted, -(f.success_rate or 0), f.key))


def export_rows(measures: Measures) -> list[list]:
    """The rows of the Excel export (headers are added by the view)."""
    rows = []
    for kind, figures in (("mediator", measures.mediators), ("group", measures.groups)):
        for f in figures:
            rows.append(
                [
                    kind,
                    f.name,
                    f.handled,
                    _pct(f.success_rate),
                    _pct(f.on_time_rate),
                    _round(f.satisfaction),
                    f.ratings,
                    f.visits,
                    _round(f.average_days),
                    float(f.weighted),
                ]
            )
    return rows


def _pct(value: float | None):
    return None if value is None else round(value * 100, 1)


def _round(value: float | None):
    return None if value is None else round(value, 1)


def group_label(group: MediationGroup) -> str:
    return f"{group.get_kind_display()} · {group.name}"
