"""Reads of the grassroots pages, each at a fixed number of queries: my entries, the risk list, the rounds,
and where disputes end (小事不出村、大事不出镇、矛盾不上交)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Center, User
from cases.core.access import cases_visible_to
from cases.core.models import Case
from cases.core.states import ACCEPTED_STATUSES, Outcome

from .access import entries_visible_to, risks_visible_to, rounds_visible_to
from .models import Entry, LatentRisk, ScreeningRound, ScreeningTask


def my_entries(user: User) -> QuerySet[Entry]:
    return (
        entries_visible_to(user)
        .filter(recorded_by=user)
        .select_related("case", "case__center", "case__dispute_type", "grid_area")
        .order_by("-created_at", "-pk")
    )


def risk_list(user: User, *, status: str = LatentRisk.Status.OPEN) -> QuerySet[LatentRisk]:
    qs = risks_visible_to(user).select_related("center", "reported_by", "grid_area")
    if status in LatentRisk.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-level", "-created_at", "-pk")


def open_risk_count(user: User) -> int:
    return risks_visible_to(user).filter(status=LatentRisk.Status.OPEN).count()


def round_list(user: User) -> QuerySet[ScreeningRound]:
    today = timezone.localdate()
    pending = Q(tasks__status=ScreeningTask.Status.PENDING)
    return (
        rounds_visible_to(user)
        .select_related("center", "reference_list")
        .annotate(
            task_count=Count("tasks"),
            pending_count=Count("tasks", filter=pending),
            found_count=Count("tasks", filter=Q(tasks__status=ScreeningTask.Status.FOUND)),
            overdue_count=Count("tasks", filter=pending & Q(due_on__lt=today)),
        )
        .order_by("-due_on", "-pk")
    )


def overdue_tasks(user: User) -> QuerySet[ScreeningTask]:
    """Tasks past their round's due date and still not reported (flagged on the dashboard)."""
    from .access import tasks_visible_to

    return tasks_visible_to(user).filter(
        status=ScreeningTask.Status.PENDING, round__due_on__lt=timezone.localdate()
    )


# --- where disputes end ----------------------------------------------------------------------------

BUCKETS = {
    "total": _("受理纠纷"),
    "resolved": _("化解成功"),
    "village": _("村（社区）化解"),
    "town": _("镇（街道）化解"),
    "county": _("县级化解"),
    "upward": _("上交上级"),
    "on_spot": _("随手调现场化解"),
}


def _bucket_q(bucket: str) -> Q:
    resolved = Q(outcome__in=Outcome.resolved())
    return {
        "total": Q(),
        "resolved": resolved,
        "village": resolved & Q(center__level=Center.Level.VILLAGE),
        "town": resolved & Q(center__level=Center.Level.TOWN),
        "county": resolved & Q(center__level=Center.Level.COUNTY),
        # registered below and now held by a center of a higher level: routed or transferred up
        "upward": Q(center__level__lt=F("origin_center__level")),
        "on_spot": resolved & Q(grassroots_entry__kind=Entry.Kind.QUICK_RECORD),
    }[bucket]


def period_cases(center_ids: list[int], start: date, end: date) -> QuerySet[Case]:
    """Cases accepted from the subtree (by the center that registered them) in the period (local dates)."""
    tz = timezone.get_current_timezone()
    return Case.objects.filter(
        origin_center__in=center_ids,
        status__in=ACCEPTED_STATUSES,
        created_at__gte=datetime.combine(start, time.min, tz),
        created_at__lt=datetime.combine(end + timedelta(days=1), time.min, tz),
    )


@dataclass
class Resolution:
    center: Center
    start: date
    end: date
    counts: dict[str, int]

    def _rate(self, part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def village_rate(self):  # 小事不出村
        return self._rate(self.counts["village"], self.counts["resolved"])

    @property
    def town_rate(self):  # 大事不出镇
        return self._rate(self.counts["village"] + self.counts["town"], self.counts["resolved"])

    @property
    def kept_rate(self):  # 矛盾不上交
        total = self.counts["total"]
        return self._rate(total - self.counts["upward"], total)

    @property
    def on_spot_share(self):
        return self._rate(self.counts["on_spot"], self.counts["resolved"])

    def rows(self):
        return [(key, BUCKETS[key], self.counts[key]) for key in BUCKETS]


def resolution_figures(center: Center, start: date, end: date) -> Resolution:
    """One aggregate query (plus the subtree's ids)."""
    ids = list(center.subtree().values_list("pk", flat=True))
    counts = period_cases(ids, start, end).aggregate(
        **{key: Count("pk", filter=_bucket_q(key)) for key in BUCKETS}
    )
    return Resolution(center, start, end, counts)


def resolution_cases(user: User, center: Center, start: date, end: date, bucket: str) -> QuerySet[Case]:
    """The cases behind one figure that the viewer may open (cases.core.access decides)."""
    ids = list(center.subtree().values_list("pk", flat=True))
    return (
        period_cases(ids, start, end)
        .filter(_bucket_q(bucket))
        .filter(pk__in=cases_visible_to(user).values("pk"))
        .select_related("center", "origin_center", "dispute_type")
        .order_by("-created_at", "-pk")
    )


# --- the supervisors' dashboard (settings.DASHBOARD_PANELS) --------------------------------------------

PANEL_ROUNDS = 10


def overdue_rounds_panel(user: User) -> dict | None:
    """The warnings dashboard's panel of screening rounds past their due date with an assignee that has not
    reported: how many rounds and tasks, the oldest rounds with the units still owing. Three queries."""
    from django.db.models import Prefetch

    today = timezone.localdate()
    pending = Q(tasks__status=ScreeningTask.Status.PENDING)
    overdue = rounds_visible_to(user).filter(due_on__lt=today).filter(pending)
    totals = overdue.aggregate(rounds=Count("pk", distinct=True), tasks=Count("tasks"))
    rounds = list(
        overdue.distinct()
        .select_related("center")
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=ScreeningTask.objects.filter(status=ScreeningTask.Status.PENDING)
                .select_related("center", "department")
                .order_by("center__path", "pk"),
                to_attr="owing",
            )
        )
        .order_by("due_on", "pk")[:PANEL_ROUNDS]
    ) if totals["rounds"] else []  # fmt: skip
    for round_ in rounds:
        round_.days_overdue = (today - round_.due_on).days
    return {
        "template": "grassroots/_dashboard_rounds.html",
        "context": {"rounds": rounds, "round_count": totals["rounds"], "task_count": totals["tasks"]},
    }
