"""Reads of routing: queues and lists at a fixed number of queries, whatever their size."""

import json
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Window,
)
from django.utils import timezone
from guardian.models import UserObjectPermission

from accounts.access import centers_supervised_by, roles_of
from accounts.models import Center, Department, Membership, User
from cases.core.access import supervises
from cases.core.assignments import assigned_case_ids, is_claimed
from cases.core.models import Case, Party
from cases.core.states import OPEN_STATUSES, QUEUE_STATUSES, Status
from mediation_center.dialect import ConnectionSQL, json_rows_sql
from mediation_center.statements import Statement, Statements

from .access import channel_queue_q, may_claim, summonses_visible_to
from .models import CaseAssignment, RotaEntry, RouteDecision, Summons

Role = Membership.Role


@dataclass
class QueueFilters:
    tab: str = "mine"  # "mine" or "channel"
    status: str = ""
    warning_level: int | None = None
    dispute_type: str = ""  # DisputeType code
    overdue: bool = False


def active_assignments_prefetch() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=CaseAssignment.objects.filter(ended_at__isnull=True).select_related("mediator"),
        to_attr="active_assignments",
    )


def mediator_queue(user: User, filters: QueueFilters, *, now=None) -> QuerySet[Case]:
    """The mediator's cases or their channel's unclaimed queue, highest warning first, then earliest due."""
    return _with_queue_rows(_queue_cases(user, filters, now=now))


def mediator_queue_page(user: User, filters: QueueFilters, number, *, per_page: int, now=None) -> Page:
    """One page of ``mediator_queue``, its rows as ``QueueRow``.

    The mediator's own cases are found through all their active assignments, closed cases included
    (751 at 1M cases for the busiest, 62 of them open): counting and then paging would probe them
    all twice. Here the filter runs once for the ordered ids (a handful, they are one person's
    cases), and the page's rows are read by primary key. The channel's queue can be long: it counts and
    pages in SQL (``queue_rows_page``). Two queries either way.
    """
    if filters == QueueFilters():  # the page as it opens: both statements compiled once
        ids = _MY_QUEUE_IDS.rows(user.pk)
    else:
        cases = _queue_cases(user, filters, now=now)
        if filters.tab == "channel":
            return queue_rows_page(cases, number, per_page=per_page)
        ids = list(cases.values_list("pk", flat=True))
    page = Paginator(ids, per_page).get_page(number)
    found = _QUEUE_ROWS_BY_ID.rows(len(page.object_list), *page.object_list) if page.object_list else []
    rows = {row.pk: row for row in (_queue_row(values) for values in found)}
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    return page


def _queue_cases(user: User | int, filters: QueueFilters, *, now=None) -> QuerySet[Case]:
    """``user`` may be a mediator's id for the "mine" tab (``_MY_QUEUE_IDS`` compiles it with a stand-in)."""
    now = now or timezone.now()
    if filters.tab == "channel":
        cases = Case.objects.filter(channel_queue_q(user))
    else:
        cases = Case.objects.filter(pk__in=assigned_case_ids(user))
        if not filters.status:
            cases = cases.filter(status__in=OPEN_STATUSES)
    return _filtered(cases, filters, now=now)


def _filtered(cases: QuerySet[Case], filters: QueueFilters, *, now) -> QuerySet[Case]:
    """A queue's filters, and its order: the most urgent first (highest warning, then earliest due)."""
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.warning_level is not None:
        cases = cases.filter(warning_level=filters.warning_level)
    if filters.dispute_type:
        cases = cases.filter(dispute_type__code=filters.dispute_type)
    if filters.overdue:
        cases = cases.filter(due_at__lt=now, status__in=OPEN_STATUSES)
    return cases.order_by("-warning_level", F("due_at").asc(nulls_last=True), "-priority", "pk")


def _with_queue_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What a queue row shows: type, center, channel, parties and active mediators."""
    return cases.select_related("dispute_type", "center", "channel").prefetch_related(
        Prefetch("parties", queryset=Party.objects.order_by("role", "pk")), active_assignments_prefetch()
    )


@dataclass(frozen=True, slots=True)
class QueueRow:
    """What a queue's row shows of a case (``routing.templatetags.routing.queue_rows``), read as plain
    values: building the page's cases with their type, channel, parties and mediators as model instances
    (and compiling a query for each relation) was most of the page's CPU, more than its SQL."""

    pk: int
    number: str
    status: str
    warning_level: int
    due_at: datetime | None
    dispute_type: str  # its name
    channel: str  # its name, "" when the case has none
    parties: tuple[str, ...]  # names, by role then id
    mediators: tuple[tuple[str, bool], ...]  # (name shown, leads it) of the active assignments, lead first


def _case_id(connection) -> str:
    quote = connection.ops.quote_name
    return f"{quote(Case._meta.db_table)}.{quote(Case._meta.pk.column)}"


def _parties_sql(connection) -> tuple[str, list]:
    """The row's parties' names, by role then id, as one JSON column (``json_rows_sql``)."""
    table = connection.ops.quote_name(Party._meta.db_table)
    source = f"{table} p WHERE p.case_id = {_case_id(connection)}"
    return json_rows_sql(["p.name"], source, "p.role, p.id", connection), []


def _mediators_sql(connection) -> tuple[str, list]:
    """The row's active assignments as [display name, username, is lead], in CaseAssignment's own order
    (its Meta.ordering, which the prefetch of the active assignments kept), as one JSON column."""
    quote = connection.ops.quote_name
    source = (
        f"{quote(CaseAssignment._meta.db_table)} a JOIN {quote(User._meta.db_table)} u ON u.id = a.mediator_id "
        f"WHERE a.case_id = {_case_id(connection)} AND a.ended_at IS NULL"
    )
    columns = ["u.display_name", "u.username", "a.is_lead"]
    return json_rows_sql(columns, source, "a.is_lead DESC, a.assigned_at, a.id", connection), []


def _queue_row_values(cases: QuerySet[Case]) -> QuerySet:
    return cases.annotate(
        _parties=ConnectionSQL(_parties_sql, output_field=TextField()),
        _mediators=ConnectionSQL(_mediators_sql, output_field=TextField()),
    ).values_list(
        "pk",
        "number",
        "status",
        "warning_level",
        "due_at",
        "dispute_type__name",
        "channel__name",
        "_parties",
        "_mediators",
    )


def _queue_row(values: tuple) -> QueueRow:
    pk, number, status, level, due_at, dispute_type, channel, parties, mediators = values
    return QueueRow(
        pk,
        number,
        status,
        level,
        due_at,
        dispute_type or "",
        channel or "",
        tuple(json.loads(parties)),
        tuple((display or username, bool(lead)) for display, username, lead in json.loads(mediators)),
    )


def queue_rows(cases: QuerySet[Case]) -> list[QueueRow]:
    """The rows of ``cases`` (a page of them: each row's parties and mediators are read with it), in the
    queryset's order: one query."""
    return [_queue_row(values) for values in _queue_row_values(cases)]


# The mediator's queue as it opens (no filter, first tab), compiled once per process
# (mediation_center/statements.py): its ordered case ids, and a page's rows by id (one statement per
# number of ids on the page).
_MY_QUEUE_IDS = Statement(lambda user_id: _queue_cases(user_id, QueueFilters()).values_list("pk", flat=True))
_QUEUE_ROWS_BY_ID = Statements(
    lambda n: lambda *ids: _queue_row_values(Case.objects.filter(pk__in=ids).order_by()), arity=lambda n: n
)


def queue_rows_page(cases: QuerySet[Case], number, *, per_page: int) -> Page:
    """A page of an ordered queue (the channel's, the supervisor's), as ``Paginator(cases).get_page(number)``
    pages it, its rows as ``QueueRow``: the page's ids with the queue's count in one query (a window count:
    the filter is compiled and run once, not for a count and again for the page), then their rows by id.
    Two queries (one for an empty queue; a page past the end or below 1 counts first, as Paginator does)."""
    paginator = Paginator(cases, per_page)
    wanted, found = _page_number(number), []
    if wanted is not None:
        bottom = (wanted - 1) * paginator.per_page
        found = list(
            cases.annotate(_total=Window(Count("pk"))).values_list("pk", "_total")[
                bottom : bottom + paginator.per_page
            ]
        )
        if found or wanted == 1:
            paginator.count = found[0][1] if found else 0
    page = paginator.get_page(number)
    if not found and paginator.count:
        found = cases.values_list("pk")[page.start_index() - 1 : page.end_index()]
    ids = [pk for pk, *_ in found]
    rows = {row.pk: row for row in queue_rows(Case.objects.filter(pk__in=ids).order_by())} if ids else {}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


def _page_number(number) -> int | None:
    """The page asked for, as ``Paginator.get_page`` reads it: 1 for what is not a whole number, None below 1
    (``get_page`` then shows the last page, which takes the count)."""
    try:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        wanted = int(number)
    except (TypeError, ValueError):
        return 1
    return wanted if wanted >= 1 else None


ENDED = "ended"
LIAISON_STATES = ("", ENDED, *Summons.State.values)


def liaison_queue(user: User, *, state: str = "") -> QuerySet[Summons]:
    """Summonses addressed to the departments the user is liaison for, each with ``case_ended`` (its case
    has ended: the summons is closed whatever its state). Open cases' summonses first, the unanswered
    ones first among them, then by deadline. ``state`` is a summons state or ``ENDED``."""
    summonses = Summons.objects.filter(department_id__in=roles_of(user).department_ids()).annotate(
        case_ended=ExpressionWrapper(~Q(case__status__in=OPEN_STATUSES), output_field=BooleanField())
    )
    if state == ENDED:
        summonses = summonses.exclude(case__status__in=OPEN_STATUSES)
    elif state:
        summonses = summonses.filter(state=state, case__status__in=OPEN_STATUSES)
    return summonses.select_related(
        "case", "case__dispute_type", "case__center", "department", "summoned_by"
    ).order_by(
        "case_ended",
        F("responded_at").desc(nulls_first=True),
        "deadline",
        "pk",
    )


def overdue_summonses(user: User, *, now=None) -> QuerySet[Summons]:
    """Unanswered summonses past their deadline on cases at centers the user supervises."""
    now = now or timezone.now()
    return (
        Summons.objects.filter(
            state=Summons.State.PENDING,
            deadline__lt=now,
            case__center__in=centers_supervised_by(user),
        )
        .select_related("case", "case__center", "department", "department__center", "summoned_by")
        .order_by("deadline", "pk")
    )


def case_summonses(user: User, case: Case) -> QuerySet[Summons]:
    return (
        summonses_visible_to(user)
        .filter(case=case)
        .select_related("department", "summoned_by", "responded_by")
        .order_by("summoned_at", "pk")
    )


def case_assignments(case: Case) -> QuerySet[CaseAssignment]:
    return case.assignments.select_related("mediator", "assigned_by").order_by("-is_lead", "assigned_at")


def assignments_of(case: Case) -> list[CaseAssignment]:
    """``case_assignments`` as a list, from the case's prefetch
    (``cases.core.assignments.case_assignments_prefetch``) when it has one."""
    if "assignments" in getattr(case, "_prefetched_objects_cache", {}):
        return list(case.assignments.all())
    return list(case_assignments(case))


def summonses_of_visible_case(case: Case) -> QuerySet[Summons]:
    """``case_summonses`` for a case the viewer may see in full (the case page): all of its summonses,
    without re-running the visibility filter (which would only admit every one of them)."""
    return case.summonses.select_related("department", "summoned_by", "responded_by").order_by(
        "summoned_at", "pk"
    )


def latest_route(case: Case) -> RouteDecision | None:
    return (
        case.route_decisions.select_related(
            "rule", "channel", "center", "suggested_channel", "suggested_center"
        )
        .order_by("-decided_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class RoutingSection:
    """What the case page shows of routing, and which routing actions the viewer may take."""

    route: RouteDecision | None
    active: list[CaseAssignment]
    history: list[CaseAssignment]
    summonses: list[Summons]
    can_route: bool
    can_claim: bool
    can_assign: bool
    can_transfer: bool
    can_summon: bool
    can_recuse: bool
    can_grant: bool
    supervisor: bool
    # The small 授予个案权限 form the section shows a supervisor (routing.forms.GrantForm, ids grant-*).
    grant_form: object = None


def routing_querysets(case: Case) -> dict[str, QuerySet]:
    """The rows of ``latest_route`` and ``summonses_of_visible_case`` (their own columns only), for the case
    page to read with its other rows in one statement (``cases.core.batch``)."""
    return {
        "route": case.route_decisions.order_by("-decided_at", "-pk")[:1],
        "summonses": case.summonses.order_by("summoned_at", "pk"),
    }


def routing_section(case: Case, user: User, *, writable: bool, loaded: dict | None = None) -> RoutingSection:
    """For a case ``user`` may see (the case page's ``get_case_for_user``); ``writable`` is its ``can_change``.
    ``loaded``: the route and the summonses (``routing_querysets``' rows, their related rows in place) when
    the page has read them."""
    assignments = assignments_of(case)
    active = [a for a in assignments if a.ended_at is None]
    supervisor = supervises(user, case.center)
    has_lead = any(a.is_lead for a in active)
    mine = any(a.mediator_id == user.pk for a in active)
    queued = case.status in QUEUE_STATUSES
    return RoutingSection(
        route=loaded["route"] if loaded else latest_route(case),
        active=active,
        history=[a for a in assignments if a.ended_at is not None],
        summonses=loaded["summonses"] if loaded else list(summonses_of_visible_case(case)),
        can_route=writable and case.status == Status.REGISTERED,
        can_claim=queued and not has_lead and may_claim(user, case),
        can_assign=supervisor and queued,
        can_transfer=writable and queued,
        can_summon=writable and case.is_open and case.status != Status.SUBMITTED,
        can_recuse=mine or (queued and may_claim(user, case)),
        can_grant=supervisor,
        supervisor=supervisor,
        grant_form=grant_form() if supervisor else None,
    )


def grant_form(data=None):
    """The case page's inline 授予个案权限 form (its ids apart from the page's other forms)."""
    from .forms import GrantForm  # forms import services, which import this module

    return GrantForm(data, auto_id="grant-%s")


def lead_mediator_id(case: Case) -> int | None:
    """The id of the case's lead mediator now (None: nobody leads it): one query."""
    return (
        CaseAssignment.objects.filter(case=case, is_lead=True, ended_at__isnull=True)
        .values_list("mediator_id", flat=True)
        .first()
    )


def on_duty(center: Center, day: date | None = None) -> QuerySet[RotaEntry]:
    """The rota entries for ``center`` on ``day`` (today in the center's zone by default)."""
    day = day or timezone.localdate()
    return (
        RotaEntry.objects.filter(center=center, weekday=day.weekday())
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .select_related("department")
        .order_by("department__name")
    )


def resident_departments(center: Center) -> QuerySet[Department]:
    return Department.objects.filter(center=center, seating=Department.Seating.RESIDENT).order_by("name")


def assignable_mediators(case: Case) -> QuerySet[User]:
    """Mediators of the case's center, the case's channel first."""
    return (
        User.objects.filter(
            memberships__role=Role.MEDIATOR, memberships__center=case.center_id, is_active=True
        )
        .distinct()
        .order_by("display_name", "username")
    )


def summonable_departments(case: Case) -> QuerySet[Department]:
    """Departments at the case's center and the centers above it."""
    return (
        Department.objects.filter(center__in=case.center.ancestors())
        .select_related("center")
        .order_by("-center__level", "name")
    )


@dataclass(frozen=True)
class CaseGrant:
    user: User
    write: bool


def case_grants(case: Case) -> list[CaseGrant]:
    """The people holding a per-case grant (django-guardian) on ``case``: one query."""
    rows = (
        UserObjectPermission.objects.filter(
            content_type=ContentType.objects.get_for_model(Case),
            object_pk=str(case.pk),
            permission__codename__in=("view_case", "change_case"),
        )
        .select_related("user", "permission")
        .order_by("user__username")
    )
    users: dict[int, User] = {}
    writers: set[int] = set()
    for row in rows:
        users.setdefault(row.user_id, row.user)
        if row.permission.codename == "change_case":
            writers.add(row.user_id)
    return [CaseGrant(user=user, write=user.pk in writers) for user in users.values()]


def allowed_route_centers(case: Case) -> list[Center]:
    """Where a case may be routed: its center, the centers above it and the centers directly below."""
    return [*case.center.ancestors(), *case.center.children.order_by("name")]


def transfer_targets(case: Case) -> list[Center]:
    targets = []
    if case.center.parent_id:
        targets.append(case.center.parent)
    targets.extend(case.center.children.order_by("name"))
    return targets


def unassigned_queue(user: User, filters: QueueFilters, *, now=None) -> QuerySet[Case]:
    """The supervisor's queue: unclaimed cases, of every channel, at the centers the user supervises; the
    same filters and urgency order as the mediators' channel queue."""
    return _with_queue_rows(_unassigned_cases(user, filters, now=now))


def unassigned_queue_page(user: User, filters: QueueFilters, number, *, per_page: int, now=None) -> Page:
    """One page of ``unassigned_queue``, its rows as ``QueueRow``."""
    return queue_rows_page(_unassigned_cases(user, filters, now=now), number, per_page=per_page)


def _unassigned_cases(user: User, filters: QueueFilters, *, now=None) -> QuerySet[Case]:
    now = now or timezone.now()
    cases = Case.objects.filter(
        ~is_claimed(), center__in=centers_supervised_by(user), status__in=QUEUE_STATUSES
    )
    return _filtered(cases, filters, now=now)


def mediators_supervised_by(user: User) -> QuerySet[User]:
    """Who a supervisor may assign: active mediators of the centers they supervise."""
    return (
        User.objects.filter(
            memberships__role=Role.MEDIATOR,
            memberships__center__in=centers_supervised_by(user),
            is_active=True,
        )
        .distinct()
        .order_by("display_name", "username")
    )
