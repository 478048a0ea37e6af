"""Reads for cases: lists at a fixed number of queries, whatever their size."""

from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import roles_of
from accounts.models import Membership, User
from cases.core.access import cases_visible_to, may_review_reveals
from cases.core.events import SENSITIVE_REVEALED
from cases.core.models import Case, Party, TimelineEvent


def case_list_for(user: User) -> QuerySet[Case]:
    return (
        cases_visible_to(user)
        .select_related("dispute_type", "center", "channel")
        .prefetch_related(Prefetch("parties", queryset=Party.objects.order_by("role", "pk")))
        .order_by("-warning_level", "-created_at")
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


def linked_filters(cases: QuerySet[Case], params) -> tuple[QuerySet[Case], dict[str, str]]:
    """Apply the dashboard's link filters; raises ``ValueError`` with a message naming a bad value."""
    from cases.core.states import OPEN_STATUSES
    from cases.core.workcalendar import start_of_day

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
                cases = cases.filter(warning_level=number)
            elif name == "channel":
                cases = cases.filter(channel__isnull=True) if number == 0 else cases.filter(channel_id=number)
            else:
                cases = cases.filter(center_id=number)
        elif name == "open":
            cases = cases.filter(status__in=OPEN_STATUSES)
        else:
            try:
                day = date.fromisoformat(value)
            except ValueError:
                raise ValueError(_("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": value[:20]}) from None
            field = "created_at" if name.startswith("registered") else "concluded_at"
            if name.endswith("_from"):
                cases = cases.filter(**{f"{field}__gte": start_of_day(day)})
            else:
                cases = cases.filter(**{f"{field}__lt": start_of_day(day + timedelta(days=1))})
    return cases, used
