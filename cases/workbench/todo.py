"""Home as a to-do list: for each role the user holds, the work waiting, a few rows each, linking on.

Each list is one query for its first rows (the counts come from ``work_counts``), so the page costs a
fixed number of queries whatever the data.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.access import current_membership, roles_of
from accounts.models import Center, Membership, User
from cases.core.access import cases_visible_to
from cases.core.assignments import assigned_case_ids
from cases.core.models import Case, Party
from cases.core.states import OPEN_STATUSES, Status
from cases.intake.selectors import intake_queue_for
from cases.lifecycle.models import MediationSession
from cases.lifecycle.selectors import overdue_follow_ups_for
from cases.portal.selectors import COUNTER_WRITERS, appointments_for_counter, ratings_for_supervisor
from cases.warnings.models import SupervisionOrder
from cases.warnings.selectors import orders_to_answer_q
from routing.access import summonses_visible_to
from routing.models import Summons

from .counts import RED_ORANGE, WorkCounts, work_counts

Role = Membership.Role
ROWS = 5


@dataclass
class TodoRow:
    label: str
    url: str
    detail: str = ""
    level: int | None = None
    due_at: object = None  # a datetime (a deadline, a clock) or a date (a visit's due day)

    @property
    def due_text(self) -> str:
        """The due moment as the card shows it: "12-03 14:30" for a datetime, "12-03" for a day."""
        if self.due_at is None:
            return ""
        if isinstance(self.due_at, datetime):
            return date_format(timezone.localtime(self.due_at), "m-d H:i")
        return date_format(self.due_at, "m-d")


@dataclass
class TodoItem:
    key: str
    title: str
    url: str
    count: int | None
    rows: list[TodoRow] = field(default_factory=list)
    empty: str = ""


@dataclass
class TodoSection:
    role: str
    title: str
    items: list[TodoItem]


def _case_url(case_id: int) -> str:
    return reverse("cases:detail", args=[case_id])


def _list_url(**params) -> str:
    return f"{reverse('cases:list')}?{urlencode(params)}"


def _case_rows(cases) -> list[TodoRow]:
    return [
        TodoRow(
            label=case.number,
            url=_case_url(case.pk),
            detail=", ".join(p.name for p in case.parties.all()),
            level=case.warning_level,
            due_at=case.due_at,
        )
        for case in cases
    ]


def _with_parties(cases):
    return cases.prefetch_related(Prefetch("parties", queryset=Party.objects.order_by("role", "pk")))


def _by_urgency(cases):
    return cases.order_by("-warning_level", F("due_at").asc(nulls_last=True), "pk")


def _in_center(qs, field: str, center: Center | None):
    return qs if center is None else qs.filter(**{f"{field}__path__startswith": center.path})


def _clerk(user: User, counts: WorkCounts, center, today) -> TodoSection:
    applications = _in_center(intake_queue_for(user).filter(status=Status.SUBMITTED), "center", center)
    appointments = _in_center(appointments_for_counter(user, today, *COUNTER_WRITERS), "slot__center", center)
    clerk_centers = [c.pk for c in roles_of(user).centers(Role.CLERK)]
    registered = _in_center(
        cases_visible_to(user).filter(status=Status.REGISTERED, center__in=clerk_centers), "center", center
    )
    return TodoSection(
        Role.CLERK,
        _("窗口受理"),
        [
            TodoItem(
                "online_applications",
                _("待受理网上申请"),
                reverse("cases:intake-list"),
                counts.online_applications,
                _case_rows(applications[:ROWS]),
                _("没有待受理的网上申请"),
            ),
            TodoItem(
                "appointments_today",
                _("今日预约"),
                reverse("portal:staff_counter"),
                counts.appointments_today,
                [
                    TodoRow(
                        label=f"{a.slot.start:%H:%M} {a.name}",
                        url=reverse("portal:staff_counter"),
                        detail=a.purpose,
                    )
                    for a in appointments[:ROWS]
                ],
                _("今天没有预约"),
            ),
            TodoItem(
                "registered",
                _("已受理待分流"),
                _list_url(status=Status.REGISTERED),
                None,
                _case_rows(_with_parties(_by_urgency(registered))[:ROWS]),
                _("没有待分流的案件"),
            ),
        ],
    )


def _mediator(user: User, counts: WorkCounts, center, today) -> TodoSection:
    mine = _in_center(
        Case.objects.filter(pk__in=assigned_case_ids(user), status__in=OPEN_STATUSES), "center", center
    )
    orders = _in_center(
        SupervisionOrder.objects.filter(orders_to_answer_q(user), state=SupervisionOrder.State.ISSUED),
        "case__center",
        center,
    ).select_related("case")
    sessions = _in_center(
        MediationSession.objects.filter(case__in=assigned_case_ids(user), started_at__date=today),
        "case__center",
        center,
    ).select_related("case")
    visits = _in_center(overdue_follow_ups_for(user, today=today), "case__center", center)
    return TodoSection(
        Role.MEDIATOR,
        _("调解工作"),
        [
            TodoItem(
                "my_cases",
                _("我的案件（按紧急程度）"),
                reverse("routing:queue"),
                counts.my_cases,
                _case_rows(_with_parties(_by_urgency(mine))[:ROWS]),
                _("名下没有在办案件"),
            ),
            TodoItem(
                "orders_unacknowledged",
                _("待签收督办"),
                reverse("routing:queue"),
                counts.orders_unacknowledged,
                [
                    TodoRow(
                        o.case.number,
                        reverse("cases:warnings_case", args=[o.case_id]),
                        o.instructions,
                        None,
                        o.deadline,
                    )
                    for o in orders.order_by("deadline")[:ROWS]
                ],
                _("没有待签收的督办单"),
            ),
            TodoItem(
                "sessions_today",
                _("今日调解"),
                reverse("routing:queue"),
                None,
                [
                    TodoRow(
                        f"{timezone.localtime(s.started_at):%H:%M} {s.case.number}",
                        _case_url(s.case_id),
                        s.place,
                    )
                    for s in sessions.order_by("started_at")[:ROWS]
                ],
                _("今天没有安排调解"),
            ),
            TodoItem(
                "follow_ups_due",
                _("待回访"),
                reverse("cases:overdue_follow_ups"),
                counts.follow_ups_due,
                [TodoRow(v.case.number, _case_url(v.case_id), "", None, v.due_on) for v in visits[:ROWS]],
                _("没有到期的回访"),
            ),
        ],
    )


def _supervisor(user: User, counts: WorkCounts, center, now) -> TodoSection:
    open_cases = _in_center(cases_visible_to(user).filter(status__in=OPEN_STATUSES), "center", center)
    red = open_cases.filter(warning_level__gte=RED_ORANGE)
    overdue = open_cases.filter(due_at__lt=now)
    orders = _in_center(
        SupervisionOrder.objects.filter(state=SupervisionOrder.State.ISSUED, case__in=cases_visible_to(user)),
        "case__center",
        center,
    ).select_related("case")
    ratings = _in_center(
        ratings_for_supervisor(user).filter(flagged=True, followed_up_at__isnull=True), "case__center", center
    )
    return TodoSection(
        Role.SUPERVISOR,
        _("督办管理"),
        [
            TodoItem(
                "red_orange",
                _("红橙预警待响应"),
                _list_url(level=RED_ORANGE),
                counts.red_orange,
                _case_rows(_with_parties(_by_urgency(red))[:ROWS]),
                _("没有红橙预警案件"),
            ),
            TodoItem(
                "overdue",
                _("超期案件"),
                _list_url(overdue=1),
                counts.overdue,
                _case_rows(_with_parties(overdue.order_by("due_at", "pk"))[:ROWS]),
                _("没有超期案件"),
            ),
            TodoItem(
                "orders_unacknowledged",
                _("督办单未签收"),
                reverse("cases:warnings_dashboard"),
                counts.orders_unacknowledged,
                [
                    TodoRow(
                        o.case.number,
                        reverse("cases:warnings_case", args=[o.case_id]),
                        o.instructions,
                        None,
                        o.deadline,
                    )
                    for o in orders.order_by("deadline")[:ROWS]
                ],
                _("督办单均已签收"),
            ),
            TodoItem(
                "bad_ratings",
                _("差评待跟进"),
                reverse("portal:staff_ratings"),
                None,
                [
                    TodoRow(
                        r.case.number, reverse("portal:staff_ratings"), r.comment[:40], None, r.created_at
                    )
                    for r in ratings.order_by("created_at")[:ROWS]
                ],
                _("没有待跟进的差评"),
            ),
        ],
    )


def _liaison(user: User, counts: WorkCounts, center, now) -> TodoSection:
    summonses = _in_center(
        summonses_visible_to(user).filter(state=Summons.State.PENDING), "case__center", center
    ).select_related("case", "department")
    return TodoSection(
        Role.LIAISON,
        _("部门协办"),
        [
            TodoItem(
                "summonses_pending",
                _("待响应协办"),
                reverse("routing:liaison_queue"),
                counts.summonses_pending,
                [
                    TodoRow(s.case.number, reverse("routing:summons_detail", args=[s.pk]), s.department.name)
                    for s in summonses.order_by("pk")[:ROWS]
                ],
                _("没有待响应的协办"),
            )
        ],
    )


def todo_for(user: User, counts: WorkCounts, center: Center | None = None, *, now=None) -> list[TodoSection]:
    """The home page's to-do sections for the roles the user holds (at ``center`` when one is chosen)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    roles = roles_of(user)
    sections = []
    if roles.has(Role.CLERK):
        sections.append(_clerk(user, counts, center, today))
    if roles.has(Role.MEDIATOR):
        sections.append(_mediator(user, counts, center, today))
    if roles.has(Role.SUPERVISOR, Role.ADMIN):
        sections.append(_supervisor(user, counts, center, now))
    if roles.has(Role.LIAISON):
        sections.append(_liaison(user, counts, center, now))
    return sections


def home_sections(request) -> list[TodoSection]:
    """settings.HOME_TODO: the home page's sections for the signed-in user and the center chosen in the menu."""
    membership = current_membership(request)
    center = membership.center if membership else None
    return todo_for(request.user, work_counts(request.user, center), center)
