"""Reads of routing: queues and lists at a fixed number of queries, whatever their size."""

from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, ExpressionWrapper, F, Prefetch, Q, QuerySet
from django.utils import timezone
from guardian.models import UserObjectPermission

from accounts.access import centers_supervised_by, roles_of
from accounts.models import Center, Department, Membership, User
from cases.core.access import supervises
from cases.core.assignments import assigned_case_ids, is_claimed
from cases.core.models import Case, Party
from cases.core.selectors import LIST_ROW_FIELDS
from cases.core.states import OPEN_STATUSES, QUEUE_STATUSES, Status

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
    """One page of ``mediator_queue``.

    The mediator's own cases are found through all their active assignments, closed cases included
    (751 at 1M cases for the busiest, 62 of them open): counting and then paging would probe them
    all twice. Here the filter runs once for the ordered ids (a handful, they are one person's
    cases), and the page's rows are read by primary key. The channel's queue can be long: it pages in SQL.
    """
    cases = _queue_cases(user, filters, now=now)
    if filters.tab == "channel":
        return Paginator(_queue_page_rows(cases), per_page).get_page(number)
    page = Paginator(list(cases.values_list("pk", flat=True)), per_page).get_page(number)
    rows = {case.pk: case for case in _queue_page_rows(Case.objects.filter(pk__in=page.object_list))}
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    return page


def _queue_cases(user: User, filters: QueueFilters, *, now=None) -> QuerySet[Case]:
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


# The columns a queue page's row shows (routing/templatetags/routing.py ``queue_rows``) and orders by. A case
# row has ~60 columns and a party ~25: building the page's ~25 cases with their center, channel, type,
# parties and mediators in full was most of the selector's CPU, more than the SQL.
# The case table's columns and the queue's own: its priority.
QUEUE_ROW_FIELDS = (*LIST_ROW_FIELDS, "priority")


def _queue_page_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    """``_with_queue_rows`` for a page of the queue: only what its rows show."""
    return (
        cases.select_related("dispute_type", "center", "channel")
        .only(*QUEUE_ROW_FIELDS)
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.only("case_id", "name", "role").order_by("role", "pk")),
            Prefetch(
                "assignments",
                queryset=CaseAssignment.objects.filter(ended_at__isnull=True)
                .select_related("mediator")
                .only("case_id", "is_lead", "assigned_at", "mediator__display_name", "mediator__username"),
                to_attr="active_assignments",
            ),
        )
    )


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
    now = now or timezone.now()
    cases = Case.objects.filter(
        ~is_claimed(), center__in=centers_supervised_by(user), status__in=QUEUE_STATUSES
    )
    return _with_queue_rows(_filtered(cases, filters, now=now))


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
