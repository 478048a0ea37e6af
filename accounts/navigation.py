"""The navigation each role sees. Each app adds its entries here, next to the role that uses them.

``count`` names the figure of the work-counts selector (cases/workbench/counts.py) that the entry's badge
shows; ``query`` and ``fragment`` narrow the page to that queue. accounts imports nothing of it: the badge's
number arrives in the template's context (``work_counts``) and the template picks it by name.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .access import roles_of
from .models import Membership
from .urls_once import reverse_once

Role = Membership.Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]
    count: str = ""
    query: str = ""
    # a dotted path to a predicate of the user, for an entry only some holders of the roles may use (so the
    # menu never leads to a page that refuses them); it must cost no query beyond the user's roles
    when: str = ""


ALL_STAFF = (Role.CLERK, Role.MEDIATOR, Role.LIAISON, Role.SUPERVISOR, Role.ADMIN)

NAV_ITEMS: list[NavItem] = [
    NavItem(_("工作台"), "accounts:home", ALL_STAFF),
    NavItem(_("我的案件"), "routing:queue", (Role.MEDIATOR,), count="my_cases"),
    NavItem(_("红橙预警"), "cases:list", (Role.SUPERVISOR, Role.ADMIN), count="red_orange", query="level=3"),
    NavItem(_("超期"), "cases:list", (Role.SUPERVISOR, Role.ADMIN), count="overdue", query="overdue=1"),
    NavItem(
        _("待签收督办"),
        "accounts:home",
        (Role.MEDIATOR, Role.SUPERVISOR, Role.ADMIN),
        count="orders_unacknowledged",
        query="#todo-orders_unacknowledged",
    ),
    NavItem(_("登记受理"), "cases:intake-register", (Role.CLERK,)),
    NavItem(_("待受理网上申请"), "cases:intake-list", (Role.CLERK,), count="online_applications"),
    NavItem(_("今日预约"), "portal:staff_counter", (Role.CLERK, Role.SUPERVISOR), count="appointments_today"),
    NavItem(_("在线咨询"), "portal:staff_consultations", (Role.CLERK, Role.SUPERVISOR)),
    NavItem(_("差评跟进"), "portal:staff_ratings", (Role.SUPERVISOR, Role.ADMIN)),
    NavItem(_("预警看板"), "cases:warnings_dashboard", (Role.SUPERVISOR, Role.ADMIN)),
    NavItem(_("研判预警"), "risk:board", (Role.SUPERVISOR, Role.ADMIN), count="risk_signals_open"),
    NavItem(
        _("待回访"), "cases:overdue_follow_ups", (Role.MEDIATOR, Role.SUPERVISOR), count="follow_ups_due"
    ),
    NavItem(_("待指派案件"), "routing:assign_queue", (Role.SUPERVISOR, Role.ADMIN), count="unassigned"),
    NavItem(_("待响应协办"), "routing:liaison_queue", (Role.LIAISON,), count="summonses_pending"),
    NavItem(_("超期协办"), "routing:overdue_summonses", (Role.SUPERVISOR, Role.ADMIN)),
    NavItem(_("案件列表"), "cases:list", (Role.CLERK, Role.SUPERVISOR, Role.ADMIN)),
    NavItem(
        _("未读消息"),
        "cases:warnings_notifications",
        (Role.CLERK, Role.MEDIATOR, Role.LIAISON, Role.SUPERVISOR),
        count="unread_notifications",
    ),
    NavItem(_("调解专家库"), "mediators:library", ALL_STAFF, count="credentials_flagged"),
    NavItem(
        _("指定调解员申请"),
        "mediators:requests",
        (Role.CLERK, Role.SUPERVISOR, Role.ADMIN),
        count="mediator_requests",
    ),
    NavItem(_("调解考核"), "mediators:measures", (Role.MEDIATOR, Role.SUPERVISOR, Role.ADMIN)),
    NavItem(_("团队与专家案件"), "mediators:my_cases", (Role.MEDIATOR,)),
    # grassroots (issue 23): the phone form and the front line's own entries; rounds, risks and figures
    NavItem(
        _("随手录"), "grassroots:entry_new", (Role.GRID_WORKER, Role.MEDIATOR), when="grassroots.access.may_record"
    ),
    NavItem(_("我的上报"), "grassroots:mine", (Role.GRID_WORKER,), count="grassroots_reports_waiting"),
    NavItem(_("排查任务"), "grassroots:round_list", (Role.SUPERVISOR, Role.ADMIN), count="grassroots_rounds_overdue"),
    NavItem(_("隐患"), "grassroots:risk_list", (Role.SUPERVISOR, Role.ADMIN), count="grassroots_open_risks"),
    NavItem(_("化解层级"), "grassroots:resolution", (Role.SUPERVISOR, Role.ADMIN)),
    # courtlink (issue 19 items 5-6): judicial-confirmation windows closing, hand-offs to the court
    NavItem(_("司法确认"), "courtlink:list", (Role.MEDIATOR, Role.SUPERVISOR, Role.ADMIN), count="court_windows_due"),
    NavItem(_("安全审计"), "accounts:audit_log", (Role.ADMIN,)),
    NavItem(_("记录完整性"), "records:integrity", (Role.ADMIN,)),
    NavItem(_("归档案件"), "records:archive", (Role.SUPERVISOR, Role.ADMIN)),
    NavItem(_("系统配置"), "admin:index", (Role.ADMIN,)),
    NavItem(_("敏感信息查看记录"), "cases:reveals", (Role.SUPERVISOR, Role.ADMIN)),
]


def items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    names = roles_of(user).names
    items = []
    for item in NAV_ITEMS:
        if names.intersection(item.roles) and (not item.when or import_string(item.when)(user)):
            try:
                url = reverse_once(item.url_name)  # the same string on every page: reversed once a process
            except NoReverseMatch:  # an app that is switched off contributes nothing
                continue
            if item.query:
                url += item.query if item.query.startswith("#") else f"?{item.query}"
            items.append({"label": item.label, "url": url, "url_name": item.url_name, "count": item.count})
    return items
