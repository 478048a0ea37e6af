"""The work waiting for one user, as numbers for the navigation's badges and the home page.

Architecture: one selector, ``work_counts(user, center=None)``, asks each queue's owner for its count
(the same selector the queue's page lists) and costs a fixed number of queries whatever the data: the
case figures come from one aggregate over the cases the user may see, each other queue is one COUNT.
A role that has no queue costs nothing. The result is cached per user (and chosen center) for
``WORK_COUNTS_TTL`` seconds, so a page view rarely pays for it; a cache that is down is skipped.
"""

import logging
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.access import CURRENT_MEMBERSHIP_KEY, centers_below, centers_supervised_by, roles_of
from accounts.models import Center, Membership, User
from cases.core.access import cases_visible_to, is_staff_user
from cases.core.assignments import assigned_case_ids, is_claimed
from cases.core.models import Case
from cases.core.states import OPEN_STATUSES, QUEUE_STATUSES, Status
from cases.intake.selectors import intake_queue_for
from cases.lifecycle.selectors import overdue_follow_ups_for
from cases.portal.selectors import COUNTER_WRITERS, appointments_for_counter
from cases.warnings.models import SupervisionOrder
from cases.warnings.selectors import orders_to_answer_q, unread_count
from mediation_center import request_cache
from mediation_center.errors import CACHE_DOWN
from routing.access import summonses_visible_to
from routing.models import Summons

Role = Membership.Role
log = logging.getLogger(__name__)

RED_ORANGE = 3  # warning levels 3 (orange) and 4 (red)


@dataclass(frozen=True)
class WorkCounts:
    """None where the user has no such queue (no badge), a number where they do."""

    my_cases: int | None = None
    red_orange: int | None = None
    unassigned: int | None = None  # 待指派案件: routing.selectors.unassigned_queue without filters
    overdue: int | None = None
    orders_unacknowledged: int | None = None
    follow_ups_due: int | None = None
    summonses_pending: int | None = None
    online_applications: int | None = None
    appointments_today: int | None = None
    unread_notifications: int | None = None
    # The figures of apps built on cases (settings.WORK_COUNT_PROVIDERS), by name.
    extra: dict[str, int] = field(default_factory=dict)

    def get(self, key: str) -> int | None:
        if not key:
            return None
        if key in self.extra:
            return self.extra[key]
        return getattr(self, key, None) if key != "extra" else None


def _in_center(qs, field: str, center_ids: list[int] | None):
    return qs if center_ids is None else qs.filter(**{f"{field}__in": center_ids})


def compute_work_counts(user: User, center: Center | None = None, *, now=None) -> WorkCounts:
    """The counts, from the database (no cache)."""
    if not is_staff_user(user):
        return WorkCounts()
    now = now or timezone.now()
    roles = roles_of(user)
    supervisor = roles.has(Role.SUPERVISOR, Role.ADMIN)
    mediator = roles.has(Role.MEDIATOR)
    clerk = roles.has(Role.CLERK)
    center_ids = list(centers_below([center]).values_list("pk", flat=True)) if center else None
    found: dict[str, int] = {}

    if supervisor or mediator:
        # A supervisor's badges count their centers' open cases; a mediator's count their own.
        cases = cases_visible_to(user) if supervisor else Case.objects.filter(pk__in=assigned_case_ids(user))
        open_cases = _in_center(cases.filter(status__in=OPEN_STATUSES), "center", center_ids)
        figures = {
            "red_orange": Count("pk", filter=Q(warning_level__gte=RED_ORANGE)),
            "overdue": Count("pk", filter=Q(due_at__lt=now)),
        }
        if supervisor:
            # The supervisor's queue of cases nobody works (routing's unassigned_queue), in the same aggregate.
            figures["unassigned"] = Count(
                "pk",
                filter=Q(status__in=QUEUE_STATUSES, center__in=centers_supervised_by(user)) & ~is_claimed(),
            )
        if mediator:
            figures["my_cases"] = (
                Count("pk", filter=Q(pk__in=assigned_case_ids(user))) if supervisor else Count("pk")
            )
        found |= open_cases.aggregate(**figures)
        orders = SupervisionOrder.objects.filter(state=SupervisionOrder.State.ISSUED)
        orders = (
            orders.filter(case__in=cases_visible_to(user))
            if supervisor
            else orders.filter(orders_to_answer_q(user))
        )
        found["orders_unacknowledged"] = _in_center(orders, "case__center", center_ids).count()
        found["follow_ups_due"] = _in_center(overdue_follow_ups_for(user), "case__center", center_ids).count()
    if roles.has(Role.LIAISON):
        summonses = summonses_visible_to(user).filter(state=Summons.State.PENDING)
        found["summonses_pending"] = _in_center(summonses, "case__center", center_ids).count()
    if clerk:
        applications = intake_queue_for(user).filter(status=Status.SUBMITTED).order_by()
        found["online_applications"] = _in_center(applications, "center", center_ids).count()
    if roles.has(*COUNTER_WRITERS):
        today = timezone.localdate(now)
        appointments = appointments_for_counter(user, today, *COUNTER_WRITERS).order_by()
        found["appointments_today"] = _in_center(appointments, "slot__center", center_ids).count()
    found["unread_notifications"] = unread_count(user)
    # Each provider is a function (user, roles, center_ids) -> {name: count} for the queues its app owns,
    # at a fixed number of queries, returning nothing for a user who has no such queue.
    extra: dict[str, int] = {}
    for dotted in settings.WORK_COUNT_PROVIDERS:
        extra |= import_string(dotted)(user, roles, center_ids)
    return WorkCounts(**found, extra=extra)


def _cache_key(user: User, center: Center | None) -> str:
    return f"work_counts:{user.pk}:{center.pk if center else 0}"


def request_cache_keys(request) -> list[str]:
    """A staff page's shell reads the counts (settings.REQUEST_CACHE_KEYS): batched with the page's other
    cache reads. Only with no center chosen: the chosen center's key would need the memberships read first."""
    user = getattr(request, "user", None)
    if user is None or not is_staff_user(user) or request.session.get(CURRENT_MEMBERSHIP_KEY):
        return []
    return [_cache_key(user, None)]


def forget_work_counts(user: User, center: Center | None = None) -> None:
    """Drop the cached counts, so the next ``work_counts`` reads them again (after the user's own action)."""
    request_cache.forget(_cache_key(user, center))
    try:
        cache.delete(_cache_key(user, center))
    except CACHE_DOWN:
        log.warning("work counts: cache unavailable", exc_info=True)


def work_counts(user: User, center: Center | None = None) -> WorkCounts:
    """The counts for the badges, cached per user and center for a few seconds."""
    if not is_staff_user(user):
        return WorkCounts()
    key = _cache_key(user, center)
    try:
        cached = request_cache.get(key)  # with the page's other known reads, in one round trip
    except CACHE_DOWN:  # a cache that is down must not take the page with it
        log.warning("work counts: cache unavailable", exc_info=True)
        cached = None
    if cached is not None:
        return WorkCounts(**cached)
    counts = compute_work_counts(user, center)
    try:
        cache.set(key, asdict(counts), settings.WORK_COUNTS_TTL)
    except CACHE_DOWN:
        log.warning("work counts: cache unavailable", exc_info=True)
    return counts
