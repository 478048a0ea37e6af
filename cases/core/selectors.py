"""Reads for cases: lists at a fixed number of queries, whatever their size."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import roles_of
from accounts.models import Membership, User
from cases.core.access import cases_visible_to, may_review_reveals
from cases.core.events import SENSITIVE_REVEALED
from cases.core.models import Case, Party, TimelineEvent
from mediation_center.dialect import OneOf


def case_list_for(user: User, parts=None) -> QuerySet[Case]:
    return (
        cases_visible_to(user, parts)
        .select_related("dispute_type", "center", "channel")
        .prefetch_related(Prefetch("parties", queryset=Party.objects.order_by("role", "pk")))
        .order_by("-warning_level", "-created_at")
    )


# The columns a row of the case table shows (cases/templatetags/case_rows.py) and the keyset cursor reads. A
# case row has ~60 columns and a party ~25: building a page of 25 cases with their center, channel, type and
# parties in full was about half of the list's CPU, more than its SQL.
LIST_ROW_FIELDS = (
    "number",
    "status",
    "warning_level",
    "due_at",
    "created_at",
    "center",
    "channel",
    "dispute_type",
    "center__name",
    "channel__name",
    "dispute_type__name",
)


def list_page_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    """``case_list_for``'s cases with only what the case table's rows show."""
    return (
        cases.only(*LIST_ROW_FIELDS)
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.only("case_id", "name", "role").order_by("role", "pk"))
        )
    )


def case_timeline(case: Case, *, public_only: bool = False) -> QuerySet[TimelineEvent]:
    events = case.events.select_related("actor")
    return events.filter(is_public=True) if public_only else events


def reveals_visible_to(
    user: User,
    *,
    case_number: str = "",
    actor: str = "",
    field: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[TimelineEvent]:
    """The reveals of full phones and ID numbers on the cases of the supervisor's or admin's centers and the
    centers below, newest first (none for anyone else); one query per page, whatever its size."""
    if not may_review_reveals(user):
        return TimelineEvent.objects.none()
    centers = roles_of(user).subtree_center_ids(Membership.Role.SUPERVISOR, Membership.Role.ADMIN)
    events = TimelineEvent.objects.filter(type=SENSITIVE_REVEALED.code, case__center__in=centers)
    if case_number:
        events = events.filter(case__number__icontains=case_number)
    if actor:
        events = events.filter(actor__username__icontains=actor)
    if field:
        events = events.filter(data__field=field)
    zone = timezone.get_current_timezone()
    if since:
        events = events.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until:
        events = events.filter(
            created_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
        )
    return events.select_related("case", "case__center", "actor").order_by("-created_at", "-pk")


SEARCH_LIMIT = 50


def search_cases(user: User, query: str, *, limit: int = SEARCH_LIMIT) -> list[Case]:
    """The top bar's search over the cases the user may see: the exact case number or tracking code, or a
    party whose name starts with (one character) or contains (two or more) the query. Two queries."""
    query = query.strip()
    if not query:
        return []
    names = Party.objects.filter(
        **({"name__startswith": query} if len(query) < 2 else {"name__contains": query})
    )
    found = case_list_for(user).filter(
        Q(number=query) | Q(tracking_code__in={query, query.upper()}) | Q(pk__in=names.values("case_id"))
    )
    return list(found[:limit])


# The dashboard's charts, tiles and per-center table link to the case list with these filters (each
# optional): an exact level (``lv``), a channel (``channel``, 0 = not routed), a center (``center``; only
# that center, within what the viewer may see), open cases only (``open=1``), and local-day ranges of
# registration (``registered_from``/``registered_to``) and of conclusion (``concluded_from``/``concluded_to``).
LINK_FILTERS = (
    "lv",
    "channel",
    "center",
    "open",
    "registered_from",
    "registered_to",
    "concluded_from",
    "concluded_to",
)


@dataclass
class ListFilters:
    """The case list's filters from its query string: ``q`` on the cases, ``counted`` the same on the
    rollups' rows (``cases.rollups``: status, level, channel, center) or None when a filter is not rolled up
    (the number, overdue, the day ranges), ``linked`` the dashboard's link filters used, ``shown`` what the
    form shows (status, level, overdue, the number searched)."""

    q: Q
    counted: Q | None
    linked: dict[str, str]
    shown: dict


def case_list_filters(params, *, now: datetime | None = None) -> ListFilters:
    """Read the list's filters; raises ``ValueError`` with a message naming a bad value."""
    from cases.core.states import OPEN_STATUSES, Status

    q, counted, rolled = Q(), Q(), True
    status = params.get("status", "")
    if status in Status.values:
        q &= Q(status=status)
        counted &= Q(status=status)
    else:
        status = ""
    # The navigation's 红橙预警 (level=3: orange and above) and 超期 entries land here with these filters.
    level = params.get("level", "")
    if level in {"1", "2", "3", "4"}:
        q &= Q(warning_level__gte=int(level), status__in=OPEN_STATUSES)
        counted &= Q(level__gte=int(level), status__in=OPEN_STATUSES)
    else:
        level = ""
    overdue = params.get("overdue") == "1"
    if overdue:
        q &= Q(due_at__lt=now or timezone.now(), status__in=OPEN_STATUSES)
        rolled = False
    query = params.get("q", "").strip()
    if query:
        q &= Q(number__icontains=query)
        rolled = False
    linked_q, linked_counted, linked = linked_filter_q(params)
    q &= linked_q
    if linked_counted is None:
        rolled = False
    else:
        counted &= linked_counted
    return ListFilters(
        q=q,
        counted=counted if rolled else None,
        linked=linked,
        shown={"status": status, "level": level, "overdue": overdue, "q": query},
    )


def linked_filter_q(params) -> tuple[Q, Q | None, dict[str, str]]:
    """The dashboard's link filters as a filter on cases, the same on the rollups' rows (None when a day
    range is among them) and the filters used; raises ``ValueError`` with a message naming a bad value."""
    from cases.core.states import OPEN_STATUSES
    from cases.core.workcalendar import start_of_day

    q, counted = Q(), Q()
    rolled = True
    used: dict[str, str] = {}
    for name in LINK_FILTERS:
        value = (params.get(name) or "").strip()
        if not value:
            continue
        used[name] = value
        if name in ("lv", "channel", "center"):
            if not value.isdigit() or len(value) > 9:
                raise ValueError(
                    _("筛选条件 %(name)s 须为非负整数：%(value)s") % {"name": name, "value": value[:20]}
                )
            number = int(value)
            if name == "lv":
                q &= Q(warning_level=number)
                counted &= Q(level=number)
            elif name == "channel":
                q &= Q(channel__isnull=True) if number == 0 else Q(channel_id=number)
                counted &= Q(channel=number)  # the rollups key "not routed" as channel 0
            else:
                q &= Q(center_id=number)
                counted &= Q(center_id=number)
        elif name == "open":
            q &= Q(status__in=OPEN_STATUSES)
            counted &= Q(status__in=OPEN_STATUSES)
        else:
            try:
                day = date.fromisoformat(value)
            except ValueError:
                raise ValueError(_("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": value[:20]}) from None
            field = "created_at" if name.startswith("registered") else "concluded_at"
            rolled = False
            if name.endswith("_from"):
                q &= Q(**{f"{field}__gte": start_of_day(day)})
            else:
                q &= Q(**{f"{field}__lt": start_of_day(day + timedelta(days=1))})
    return q, counted if rolled else None, used


def linked_filters(cases: QuerySet[Case], params) -> tuple[QuerySet[Case], dict[str, str]]:
    """Apply the dashboard's link filters; raises ``ValueError`` with a message naming a bad value."""
    q, _counted, used = linked_filter_q(params)
    return cases.filter(q), used


def case_list_page(user: User, params, *, now: datetime | None = None):
    """The case list's page for ``params`` (filters, ``after``/``before`` cursor): a ``KeysetPage`` with its
    count and the filters (``ListFilters``); raises ``ValueError`` for a bad filter or cursor.

    A fixed number of queries, none reading the viewer's subtree case by case: the page's rows come from
    the first rows of each center of the subtree (``keyset.Scope``, PostgreSQL), and the count, where every
    filter is rolled up, from the rollups' rows (``cases.rollups``) plus the few cases visible outside the
    subtree; otherwise a count that stops at ``COUNT_CAP``."""
    from cases.core.access import is_staff_user, visible_parts
    from cases.core.keyset import COUNT_CAP, Scope, capped_count, keyset_page, or_parts
    from cases.rollups.selectors import case_total

    filters = case_list_filters(params, now=now)
    parts = visible_parts(user) if is_staff_user(user) else None
    cases = list_page_rows(case_list_for(user, parts).filter(filters.q))
    scope = None
    if parts is not None:
        centers, rest = parts
        scope = Scope(
            centers=centers,
            filtered=Case.objects.filter(filters.q),
            rest=[Case.objects.filter(part).filter(filters.q) for part in or_parts(rest)],
        )
    page = keyset_page(cases, after=params.get("after", ""), before=params.get("before", ""), scope=scope)
    if scope is not None and filters.counted is not None:
        beyond = [
            part.exclude(OneOf("center_id", scope.centers)) if scope.centers else part for part in scope.rest
        ]
        n = case_total(scope.centers, filters.counted, beyond=beyond, cap=COUNT_CAP)
        page.count, page.capped = min(n, COUNT_CAP), n > COUNT_CAP
    else:
        page.count, page.capped = capped_count(cases)
    return page, filters
