"""Reads for warnings: the supervisor dashboard's figures (page, Excel and API share them) and case panels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from accounts.access import centers_supervised_by, roles_of
from accounts.models import Center, Membership, User
from cases.core.access import supervises
from cases.core.models import Case, WarningLevel
from cases.core.states import OPEN_STATUSES
from cases.core.workcalendar import WorkCalendar, local_date, local_zone, reference_data, start_of_day
from cases.rollups import measures as rolled_measures
from cases.rollups import pending
from cases.rollups import selectors as rollups
from cases.warnings.clocks import CaseDeadlines, case_deadlines
from cases.warnings.models import (
    CaseClock,
    ClockTrigger,
    ClockUnit,
    Notification,
    SupervisionOrder,
    WarningChange,
)
from mediation_center.dialect import ConnectionSQL, OneOf, id_in, materialized_cte
from routing.models import Channel

LEVELS = [WarningLevel.RED, WarningLevel.ORANGE, WarningLevel.YELLOW, WarningLevel.BLUE]


@dataclass
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def start_at(self) -> dt.datetime:
        return start_of_day(self.start)

    @property
    def end_at(self) -> dt.datetime:
        return start_of_day(self.end + dt.timedelta(days=1))


def default_period(now: dt.datetime | None = None) -> Period:
    today = local_date(now or timezone.now())
    return Period(today.replace(day=1), today)


def in_centers(centers, field: str = "center"):
    """A filter on ``field`` (a foreign key to Center, or a path to one) for a list of center ids or a
    queryset of centers."""
    if isinstance(centers, list):
        return OneOf(f"{field}_id", centers)  # ``= ANY(%s)`` on PostgreSQL, see mediation_center/dialect.py
    return Q(**{f"{field}__in": centers})


def open_cases_in(centers) -> QuerySet[Case]:
    return Case.objects.filter(in_centers(centers), status__in=OPEN_STATUSES)


def cases_of(centers) -> QuerySet[Case]:
    """The ids of the centers' cases, as a sub-select: the figures over clocks, visits and warning changes
    keep the county's rows first (index-only scan of ``case_created_by_center``) instead of joining a
    province-wide range to every case."""
    return Case.objects.filter(in_centers(centers)).values("pk")


# --- counts and lists ------------------------------------------------------------------------
def level_by_channel(cases: QuerySet[Case]) -> dict:
    """Open cases by warning level (rows) and channel (columns), one query."""
    channels = list(Channel.objects.order_by("ordering", "code"))
    counts = {
        (row["warning_level"], row["channel_id"]): row["n"]
        for row in cases.values("warning_level", "channel_id").annotate(n=Count("pk")).order_by()
    }
    columns = [(c.pk, c.name) for c in channels] + [(None, _t("未分流"))]
    rows = []
    for level in [*LEVELS, WarningLevel.NONE]:
        cells = [counts.get((level, pk), 0) for pk, _name in columns]
        rows.append({"level": int(level), "label": str(level.label), "cells": cells, "total": sum(cells)})
    return {"columns": [name for _pk, name in columns], "rows": rows}


def level_by_center(cases: QuerySet[Case], names: dict[int, str] | None = None) -> list[dict]:
    """Open cases per center by level, by center name. Given ``names`` (center id → name, already in the
    database's name order) the cases are grouped alone, without joining every center of the province."""
    aggregates = {f"l{int(level)}": Count("pk", filter=Q(warning_level=level)) for level in LEVELS}
    if names is None:
        rows = (
            cases.values("center_id", "center__name")
            .annotate(total=Count("pk"), **aggregates)
            .order_by("center__name")
        )
    else:
        counted = {
            row["center_id"]: row
            for row in cases.values("center_id").annotate(total=Count("pk"), **aggregates).order_by()
        }
        rows = [{**counted[pk], "center__name": name} for pk, name in names.items() if pk in counted]
    return [
        {
            "center": row["center__name"],
            "total": row["total"],
            "levels": [row[f"l{int(level)}"] for level in LEVELS],
        }
        for row in rows
    ]


def _channel_columns() -> list[tuple[int, str]]:
    return list(Channel.objects.order_by("ordering", "code").values_list("pk", "name"))


def level_by_channel_rolled(counts: dict[tuple[int, int, int], int]) -> dict:
    """``level_by_channel`` from the rollups' open counts ((center, level, channel) → n), no query: the
    channels come from the reference-data cache (a save of a channel starts a new version,
    ``routing.rules.connect_rule_signals``)."""
    cells: dict[tuple[int, int], int] = {}
    for (_center, level, channel), n in counts.items():
        cells[(level, channel)] = cells.get((level, channel), 0) + n
    columns = [*reference_data("dashboard-channel-columns", _channel_columns), (0, _t("未分流"))]
    rows = []
    for level in [*LEVELS, WarningLevel.NONE]:
        row = [cells.get((level, pk), 0) for pk, _name in columns]
        rows.append({"level": int(level), "label": str(level.label), "cells": row, "total": sum(row)})
    return {"columns": [name for _pk, name in columns], "rows": rows, "keys": [pk for pk, _name in columns]}


def level_by_center_rolled(counts: dict[tuple[int, int, int], int], names: dict[int, str]) -> list[dict]:
    """``level_by_center`` from the rollups' open counts; ``names`` in the order to list (center id → name)."""
    per: dict[int, dict[int, int]] = {}
    for (center, level, _channel), n in counts.items():
        levels = per.setdefault(center, {})
        levels[level] = levels.get(level, 0) + n
    return [
        {
            "center": name,
            "center_id": pk,
            "total": sum(per[pk].values()),
            "levels": [per[pk].get(int(level), 0) for level in LEVELS],
        }
        for pk, name in names.items()
        if sum(per.get(pk, {}).values())
    ]


# What the page, the API (case_brief) and the Excel show of a listed case; a case row is ~50 columns.
CASE_BRIEF_FIELDS = ("number", "warning_level", "response_due_at", "due_at", "center__name")


def red_orange_cases(cases: QuerySet[Case], limit: int = 100) -> list[Case]:
    return list(
        cases.filter(warning_level__gte=WarningLevel.ORANGE)
        .select_related("center")
        .only(*CASE_BRIEF_FIELDS)
        .order_by("-warning_level", "response_due_at", "pk")[:limit]
    )


def overdue_cases(cases: QuerySet[Case], now: dt.datetime, limit: int = 100) -> list[Case]:
    return list(
        cases.filter(due_at__lt=now)
        .select_related("center")
        .only(*CASE_BRIEF_FIELDS)
        .order_by("due_at")[:limit]
    )


def overdue_orders(centers: QuerySet[Center], now: dt.datetime, limit: int = 100) -> list[SupervisionOrder]:
    return list(
        SupervisionOrder.objects.filter(case_id__in=cases_of(centers), deadline__lt=now)
        .exclude(state=SupervisionOrder.State.REPORTED)
        .select_related("case", "recipient", "channel")
        .order_by("deadline")[:limit]
    )


def overdue_summonses(centers: QuerySet[Center], now: dt.datetime, limit: int = 100) -> list:
    """Department summonses (联合调处) still unanswered past their response deadline, oldest first."""
    from routing.models import Summons

    return list(
        Summons.objects.filter(case_id__in=cases_of(centers), state=Summons.State.PENDING, deadline__lt=now)
        .select_related("case", "department")
        .order_by("deadline", "pk")[:limit]
    )


# The first overdue visits of the subtree, by due date. The subtree's case ids come first and
# MATERIALIZED (on PostgreSQL), so they can only be hash-joined: with a plain sub-select the planner,
# hoping the LIMIT lets it stop early, walks the province's pending visits in date order and probes the
# case table for each (26,000 probes, ~0.3 s at 1M cases). Both sides are index-only scans
# (``case_created_by_center`` and ``follow_up_pending_due`` include the ids).
def _first_overdue_visits(connection, ids: list[int], today: dt.date, limit: int) -> tuple[str, list]:
    in_subtree, params = id_in("center_id", ids, connection)
    subtree = materialized_cte("subtree", f"SELECT id FROM cases_case WHERE {in_subtree}", connection)
    sql = f"""
    WITH {subtree}
    SELECT v.id FROM cases_followupvisit v JOIN subtree ON subtree.id = v.case_id
    WHERE v.visited_at IS NULL AND v.due_on < %s
    ORDER BY v.due_on, v.id
    LIMIT %s
"""
    return sql, [*params, connection.ops.adapt_datefield_value(today), limit]


def overdue_visits(centers, now: dt.datetime, limit: int = 100) -> list:
    """Follow-up visits (回访) not made by their due date, oldest first."""
    from cases.lifecycle.models import FollowUpVisit

    ids = centers if isinstance(centers, list) else list(centers.values_list("pk", flat=True))
    today = local_date(now)
    first = ConnectionSQL(lambda connection: _first_overdue_visits(connection, ids, today, limit))
    return list(
        FollowUpVisit.objects.filter(pk__in=first)
        .select_related("case")
        .only("case__number", "reason", "due_on", "visited_at")
        .order_by("due_on", "pk")
    )


def newly_escalated(centers: QuerySet[Center], now: dt.datetime, limit: int = 100) -> list[WarningChange]:
    """Level rises since the start of yesterday (local time)."""
    since = start_of_day(local_date(now) - dt.timedelta(days=1))
    return list(
        WarningChange.objects.filter(
            case_id__in=cases_of(centers), created_at__gte=since, to_level__gt=F("from_level")
        )
        .select_related("case")
        .only("case__number", "from_level", "to_level", "created_at", "reason")
        .order_by("-created_at")[:limit]
    )


# What the page, the API and the Excel show of a listed order and summons (``str(recipient)`` is the
# user's display name or username); the rows with every column of the case, the user and the channel
# cost more to compile and build than to read.
ORDER_BRIEF_FIELDS = (
    "case_id",
    "deadline",
    "state",
    "case__number",
    "recipient__display_name",
    "recipient__username",
    "channel__name",
)
SUMMONS_BRIEF_FIELDS = ("case_id", "deadline", "state", "case__number", "department__name")


# The four lists from the rollups' ``PendingItem`` (cases/rollups/pending.py): the centers' first items by
# date from one index, then those items' rows — never the county's cases. Same rows, same order as the
# former reads above (kept as the reference the tests compare with).
def overdue_orders_rolled(ids: list[int], now: dt.datetime, limit: int = 100) -> list[SupervisionOrder]:
    first = pending.first_items("order", ids, before=now, limit=limit)
    return list(
        SupervisionOrder.objects.filter(pk__in=first)
        .select_related("case", "recipient", "channel")
        .only(*ORDER_BRIEF_FIELDS)
        .order_by("deadline", "pk")
    )


def overdue_summonses_rolled(ids: list[int], now: dt.datetime, limit: int = 100) -> list:
    from routing.models import Summons

    first = pending.first_items("summons", ids, before=now, limit=limit)
    return list(
        Summons.objects.filter(pk__in=first)
        .select_related("case", "department")
        .only(*SUMMONS_BRIEF_FIELDS)
        .order_by("deadline", "pk")
    )


def overdue_visits_rolled(ids: list[int], now: dt.datetime, limit: int = 100) -> list:
    from cases.lifecycle.models import FollowUpVisit

    first = pending.first_items("visit", ids, before=local_date(now), limit=limit)
    return list(
        FollowUpVisit.objects.filter(pk__in=first)
        .select_related("case")
        .only("case__number", "reason", "due_on", "visited_at")
        .order_by("due_on", "pk")
    )


def newly_escalated_rolled(ids: list[int], now: dt.datetime, limit: int = 100) -> list[WarningChange]:
    since = start_of_day(local_date(now) - dt.timedelta(days=1))
    first = pending.first_items("escalation", ids, since=since, limit=limit, descending=True)
    return list(
        WarningChange.objects.filter(pk__in=first)
        .select_related("case")
        .only("case__number", "from_level", "to_level", "created_at", "reason")
        .order_by("-created_at", "-pk")
    )


def registered_vs_resolved(centers: QuerySet[Center], now: dt.datetime, days: int = 30) -> list[dict]:
    """Cases registered and resolved (化解/终结) per local day over the last ``days`` days: two queries."""
    today = local_date(now)
    first = today - dt.timedelta(days=days - 1)
    since = start_of_day(first)
    zone = local_zone()
    base = Case.objects.filter(in_centers(centers))

    def per_day(field: str) -> dict:
        return dict(
            base.filter(**{f"{field}__gte": since})
            .annotate(day=TruncDate(field, tzinfo=zone))
            .values("day")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("day", "n")
        )

    registered, resolved = per_day("created_at"), per_day("concluded_at")
    return [
        {
            "day": first + dt.timedelta(days=i),
            "registered": registered.get(first + dt.timedelta(days=i), 0),
            "resolved": resolved.get(first + dt.timedelta(days=i), 0),
        }
        for i in range(days)
    ]


def series_rolled(days: dict[dt.date, dict], now: dt.datetime, length: int = 30) -> list[dict]:
    """``registered_vs_resolved`` from the rollups' days (``cases.rollups.selectors.day_figures``)."""
    first = local_date(now) - dt.timedelta(days=length - 1)
    empty = {"registered": 0, "concluded": 0}
    return [
        {
            "day": first + dt.timedelta(days=i),
            "registered": days.get(first + dt.timedelta(days=i), empty)["registered"],
            "resolved": days.get(first + dt.timedelta(days=i), empty)["concluded"],
        }
        for i in range(length)
    ]


def chart_geometry(series: list[dict], *, width: int = 600, height: int = 200) -> dict:
    """Coordinates for the inline SVG bar chart; the template only places numbers, no markup from here."""
    top = max([1] + [max(d["registered"], d["resolved"]) for d in series])
    plot_h = height - 30
    slot = width / max(len(series), 1)
    bar = max(slot / 2 - 1, 1)
    bars = []
    for i, d in enumerate(series):
        for j, key in enumerate(("registered", "resolved")):
            h = d[key] / top * plot_h
            bars.append(
                {
                    "x": round(i * slot + j * bar, 1),
                    "y": round(plot_h - h + 5, 1),
                    "w": round(bar, 1),
                    "h": round(h, 1),
                    "kind": key,
                    "title": f"{d['day']:%m-%d} {d[key]}",
                }
            )
    labels = [
        {"x": round(i * slot, 1), "text": f"{d['day']:%m-%d}"} for i, d in enumerate(series) if i % 5 == 0
    ]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "labels": labels,
        "top": top,
        "base_y": plot_h + 5,
    }


# --- measures --------------------------------------------------------------------------------
def successful_outcome_codes() -> tuple[str, ...]:
    """Case.outcome values that count as mediated successfully: a written or oral agreement."""
    from cases.core.states import Outcome

    return Outcome.resolved()


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator * 100 / denominator, 1) if denominator else None


def mediation_success_rate(centers, period: Period) -> dict:
    """调解成功率: of cases concluded in the period, the share concluded successfully."""
    codes = successful_outcome_codes()
    concluded = Case.objects.filter(
        in_centers(centers), concluded_at__gte=period.start_at, concluded_at__lt=period.end_at
    )
    figures = concluded.aggregate(total=Count("pk"), done=Count("pk", filter=Q(outcome__in=codes)))
    total, done = figures["total"], figures["done"]
    return {"value": _rate(done, total), "numerator": done, "denominator": total, "pending": False}


def resolution_rate(centers, period: Period) -> dict:
    """化解率: of cases registered in the period, the share resolved successfully so far."""
    codes = successful_outcome_codes()
    registered = Case.objects.filter(
        in_centers(centers), created_at__gte=period.start_at, created_at__lt=period.end_at
    )
    figures = registered.aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(outcome__in=codes, concluded_at__isnull=False))
    )
    total, done = figures["total"], figures["done"]
    return {"value": _rate(done, total), "numerator": done, "denominator": total, "pending": False}


def _in_periods(rows: QuerySet, field: str, column: str, hit: Q, periods: list[Period]) -> list[dict]:
    """Numerator (``hit``) and denominator of a measure over ``rows`` whose ``field`` lies in each of the
    ``periods``, all in one query: the rows of the span from the first start to the last end are read once
    and counted per period (``COUNT … FILTER``). ``column`` is what is counted (a never-null column the
    table's index carries, so the rows come from the index alone)."""
    start = min(p.start_at for p in periods)
    end = max(p.end_at for p in periods)
    counts = {}
    for i, p in enumerate(periods):
        within = Q(**{f"{field}__gte": p.start_at, f"{field}__lt": p.end_at})
        counts[f"total_{i}"] = Count(column, filter=within)
        counts[f"hit_{i}"] = Count(column, filter=within & hit)
    figures = rows.filter(**{f"{field}__gte": start, f"{field}__lt": end}).aggregate(**counts)
    return [
        {
            "value": _rate(figures[f"hit_{i}"], figures[f"total_{i}"]),
            "numerator": figures[f"hit_{i}"],
            "denominator": figures[f"total_{i}"],
            "pending": False,
        }
        for i in range(len(periods))
    ]


def on_time_rates(centers, periods: list[Period]) -> list[dict]:
    """按期办结率: handling clocks that stopped (concluded/closed) in the period on or before their due time."""
    stopped = CaseClock.objects.filter(
        case_id__in=cases_of(centers),
        code="handling",
        stop_reason__in=[ClockTrigger.CONCLUDED, ClockTrigger.CLOSED],
    )
    # Count the (never null) case column, not the id: every column read is in ``clock_handling_stopped``,
    # so the clocks come from the index alone.
    return _in_periods(stopped, "stopped_at", "case_id", Q(stopped_at__lte=F("due_at")), periods)


def timely_sign_rates(centers, periods: list[Period]) -> list[dict]:
    """及时签收率: of the summonses whose response deadline fell in the period, those answered (报到 or
    declined with a reason) by the deadline."""
    from routing.models import Summons

    timely = Q(responded_at__isnull=False, responded_at__lte=F("deadline"))
    return _in_periods(
        Summons.objects.filter(case_id__in=cases_of(centers)), "deadline", "pk", timely, periods
    )


def satisfaction_rates(centers, periods: list[Period]) -> list[dict]:
    """满意率 from citizens' ratings (好差评) given in the period: 基本满意 or better (as
    ``cases.portal.selectors.satisfaction_summary`` counts them)."""
    from cases.portal.models import Rating

    satisfied = Q(score__gte=Rating.Score.BASICALLY_SATISFIED)
    return _in_periods(
        Rating.objects.filter(case_id__in=cases_of(centers)), "created_at", "pk", satisfied, periods
    )


def visit_satisfaction_rates(centers, periods: list[Period]) -> list[dict]:
    """回访满意率: follow-up visits made in the period whose party was 基本满意 or better."""
    from cases.lifecycle.models import FollowUpVisit, Satisfaction

    visits = FollowUpVisit.objects.filter(case_id__in=cases_of(centers), satisfaction__isnull=False)
    # the case column, not the id: answered from ``follow_up_visited`` alone, like on_time_rates
    satisfied = Q(satisfaction__gte=Satisfaction.FAIRLY_SATISFIED)
    return _in_periods(visits, "visited_at", "case_id", satisfied, periods)


def on_time_rate(centers, period: Period) -> dict:
    return on_time_rates(centers, [period])[0]


def timely_sign_rate(centers, period: Period) -> dict:
    return timely_sign_rates(centers, [period])[0]


def satisfaction_rate(centers, period: Period) -> dict:
    return satisfaction_rates(centers, [period])[0]


def visit_satisfaction_rate(centers, period: Period) -> dict:
    return visit_satisfaction_rates(centers, [period])[0]


def money_covered(centers, period: Period) -> Decimal:
    """Money covered by agreements of cases concluded in the period."""
    total = Case.objects.filter(
        in_centers(centers), concluded_at__gte=period.start_at, concluded_at__lt=period.end_at
    ).aggregate(s=Sum("money_covered"))["s"]
    # In the field's cents on every backend: SQLite sums its decimals as floats and hands back the sum
    # unscaled (``Decimal('36000')``), PostgreSQL's numeric keeps the scale (``Decimal('36000.00')``).
    cents = Decimal(1).scaleb(-Case._meta.get_field("money_covered").decimal_places)
    return (total or Decimal("0")).quantize(cents)


MEASURES = [
    ("mediation_success_rate", _("调解成功率"), mediation_success_rate),
    ("resolution_rate", _("化解率"), resolution_rate),
    ("on_time_rate", _("按期办结率"), on_time_rate),
    ("timely_sign_rate", _("及时签收率"), timely_sign_rate),
    ("satisfaction_rate", _("满意率"), satisfaction_rate),
    ("visit_satisfaction_rate", _("回访满意率"), visit_satisfaction_rate),
]


def _rolled(numerator: str, denominator: str):
    def measure(totals: dict) -> dict:
        done, total = totals[numerator], totals[denominator]
        return {"value": _rate(done, total), "numerator": done, "denominator": total, "pending": False}

    return measure


# The measures over cases, read from the rollups' per-day rows (cases/rollups) instead of the cases.
ROLLED_MEASURES = {
    "mediation_success_rate": _rolled("concluded_success", "concluded"),
    "resolution_rate": _rolled("registered_resolved", "registered"),
}


# The measures over clocks, summonses, ratings and visits, each read for several periods in one query.
MEASURES_OVER_PERIODS = {
    "on_time_rate": on_time_rates,
    "timely_sign_rate": timely_sign_rates,
    "satisfaction_rate": satisfaction_rates,
    "visit_satisfaction_rate": visit_satisfaction_rates,
}


def measures(centers, period: Period, totals: dict | None = None) -> list[dict]:
    """The period's measures; given the rollups' ``totals`` for the period (``sum_days``), those over
    cases come from them and only the ones over clocks, summonses, ratings and visits read their tables."""
    return measures_of_periods(centers, [period], None if totals is None else [totals])[0]


def measures_of_periods(
    centers, periods: list[Period], totals: list[dict] | None = None, rolled: list[dict] | None = None
) -> list[list[dict]]:
    """``measures`` for each of ``periods`` (e.g. the current and the previous one): the measures over
    clocks, summonses, ratings and visits in one query each for all the periods — or, given ``rolled``
    (per period, ``cases.rollups.measures.period_figures``), from the rollups without a query."""
    if rolled is not None:
        over_periods = {
            key: [
                {
                    **(figures := r[key]),
                    "value": _rate(figures["numerator"], figures["denominator"]),
                    "pending": False,
                }
                for r in rolled
            ]
            for key in MEASURES_OVER_PERIODS
        }
    else:
        over_periods = {key: fn(centers, periods) for key, fn in MEASURES_OVER_PERIODS.items()}
    result = []
    for i, period in enumerate(periods):
        rows = []
        for key, label, fn in MEASURES:
            if key in over_periods:
                figures = over_periods[key][i]
            elif totals is not None and key in ROLLED_MEASURES:
                figures = ROLLED_MEASURES[key](totals[i])
            else:
                figures = fn(centers, period)
            rows.append({"key": key, "label": str(label), **figures})
        result.append(rows)
    return result


def previous_period(period: Period) -> Period:
    """The period of the same length just before ``period`` (the tiles show it beside the current one)."""
    length = period.end - period.start
    end = period.start - dt.timedelta(days=1)
    return Period(end - length, end)


# --- the dashboard -------------------------------------------------------------------------
def supervised_centers(user: User) -> QuerySet[Center]:
    return centers_supervised_by(user)


def dashboard_figures(user: User, period: Period, *, now: dt.datetime | None = None) -> dict:
    """Everything the dashboard shows, for the user's supervised centers; the page, Excel and API use this."""
    now = now or timezone.now()
    # The subtree's ids (and names, in name order), resolved once: every figure then filters
    # ``center_id = ANY(ids)`` on an index led by the center, and the planner knows how many centers there
    # are (a ``path LIKE`` sub-select is estimated at a handful of rows).
    names = dict(supervised_centers(user).order_by("name").values_list("pk", "name"))
    centers = list(names)
    cases = open_cases_in(centers)
    # Counts, per-day figures and the measures over clocks, summonses, ratings and visits from the rollups
    # (cases/rollups): rows per center and day, not cases, in one statement that reads each pending delta
    # once (a subtree with too many pending is folded first, ``rollups.dashboard_rollups``).
    previous = previous_period(period)
    first = local_date(now) - dt.timedelta(days=29)
    rolled_up = rollups.dashboard_rollups(
        centers,
        (min(first, previous.start), max(local_date(now), period.end)),
        (min(period.start, previous.start), max(period.end, previous.end)),
    )
    counts, days = rolled_up.counts, rolled_up.days
    totals = rollups.sum_days(days, period.start, period.end)
    before = rollups.sum_days(days, previous.start, previous.end)
    cents = Decimal(1).scaleb(-Case._meta.get_field("money_covered").decimal_places)
    rolled = [
        rolled_measures.period_figures(rolled_up.measure_days, p.start, p.end) for p in (period, previous)
    ]
    current_measures, previous_measures = measures_of_periods(
        centers, [period, previous], [totals, before], rolled
    )
    return {
        "now": now,
        "period": period,
        "previous_period": previous,
        "by_channel": level_by_channel_rolled(counts),
        "by_center": level_by_center_rolled(counts, names),
        "red_orange": red_orange_cases(cases),
        "overdue_cases": overdue_cases(cases, now),
        "overdue_orders": overdue_orders_rolled(centers, now),
        "overdue_summonses": overdue_summonses_rolled(centers, now),
        "overdue_visits": overdue_visits_rolled(centers, now),
        "newly_escalated": newly_escalated_rolled(centers, now),
        "series": series_rolled(days, now),
        "measures": current_measures,
        "previous_measures": {m["key"]: m for m in previous_measures},
        "money_covered": Decimal(totals["money"]).quantize(cents),
        "previous_money_covered": Decimal(before["money"]).quantize(cents),
    }


# --- a case's warnings panel ------------------------------------------------------------------
def case_warning_panel(case: Case) -> dict:
    return {
        "clocks": list(
            case.clocks.prefetch_related("pauses", "extensions__approved_by").order_by("started_at")
        ),
        "orders": list(
            case.supervision_orders.select_related("issued_by", "recipient", "channel").order_by(
                "-created_at"
            )
        ),
        "conferences": list(case.conferences.select_related("recorded_by")),
        "changes": list(case.warning_changes.select_related("actor")[:20]),
    }


@dataclass(frozen=True)
class WarningSummary:
    """The case page's 预警与督办 card: the headline deadline, the running clocks and the orders not yet
    reported back."""

    clocks: list[CaseClock]
    open_orders: list[SupervisionOrder]
    is_supervisor: bool
    countdown: Countdown | None = None
    deadlines: CaseDeadlines | None = None


@dataclass(frozen=True)
class Countdown:
    """How long the nearest running clock has left (剩 N 天) or is past (超期 N 天), counted in the clock's own
    unit: working days for a working-day clock, calendar days for a calendar one, hours for an hour clock."""

    clock: CaseClock
    amount: int
    unit: str  # a ClockUnit value; minutes are shown as hours
    overdue: bool
    paused: bool


def countdown_of(clock: CaseClock | None, *, now: dt.datetime | None = None) -> Countdown | None:
    if clock is None:
        return None
    now = now or timezone.now()
    # A paused clock stands still: its time left is what it had when it was paused.
    at = clock.paused_since or now
    overdue = at > clock.due_at
    if clock.unit in (ClockUnit.HOURS, ClockUnit.MINUTES):
        seconds = abs((clock.due_at - at).total_seconds())
        return Countdown(clock, int(seconds // 3600), ClockUnit.HOURS, overdue, bool(clock.paused_since))
    first, last = sorted((local_date(at), local_date(clock.due_at)))
    if clock.unit == ClockUnit.WORKING_DAYS:
        amount = WorkCalendar().working_days_between(first, last)
    else:
        amount = (last - first).days
    return Countdown(clock, amount, clock.unit, overdue, bool(clock.paused_since))


def open_orders_of(case: Case) -> QuerySet[SupervisionOrder]:
    """The case's supervision orders not yet reported on, by deadline (the warning card lists them)."""
    return case.supervision_orders.exclude(state=SupervisionOrder.State.REPORTED).order_by("deadline")


def case_warning_summary(
    case: Case,
    user: User,
    *,
    now: dt.datetime | None = None,
    clocks: list[CaseClock] | None = None,
    open_orders: list[SupervisionOrder] | None = None,
) -> WarningSummary:
    """The case page's warning card. ``clocks`` (``clocks.case_clocks``' rows) and ``open_orders``
    (``open_orders_of``'s): already loaded by the page, else read here (two queries)."""
    deadlines = case_deadlines(case, with_extensions=False, clocks=clocks)  # the card lists no extensions
    clocks = deadlines.running
    # The header's countdown follows the headline deadline (the clock that governs the case's stage).
    headline = deadlines.headline or (clocks[0] if clocks else None)
    return WarningSummary(
        clocks=clocks,
        deadlines=deadlines,
        open_orders=list(open_orders_of(case)) if open_orders is None else open_orders,
        is_supervisor=supervises(user, case.center),
        countdown=countdown_of(headline, now=now),
    )


def notifications_for(user: User, limit: int = 50) -> list[Notification]:
    return list(Notification.objects.filter(user=user).select_related("case").order_by("-created_at")[:limit])


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def may_answer_order(user: User, order: SupervisionOrder) -> bool:
    if order.recipient_id:
        return order.recipient_id == user.pk
    return any(
        m.center_id == order.case.center_id and m.channel_id == order.channel_id
        for m in roles_of(user).memberships_for(Membership.Role.MEDIATOR)
    )


def orders_to_answer_q(user: User) -> Q:
    """``may_answer_order`` as a filter on SupervisionOrder: addressed to the user, or to a channel they mediate."""
    q = Q(recipient=user)
    for m in roles_of(user).memberships_for(Membership.Role.MEDIATOR):
        q |= Q(recipient__isnull=True, case__center=m.center_id, channel=m.channel_id)
    return q
