"""The navigation each role sees. Each app adds its entries here, next to the role that uses them."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .access import roles_of
from .models import Membership

Role = Membership.Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]


NAV_ITEMS: list[NavItem] = [
    NavItem(
        _("工作台"), "accounts:home", (Role.CLERK, Role.MEDIATOR, Role.LIAISON, Role.SUPERVISOR, Role.ADMIN)
    ),
    NavItem(_("登记受理"), "cases:intake-register", (Role.CLERK,)),
    NavItem(_("受理列表"), "cases:intake-list", (Role.CLERK,)),
    NavItem(_("预约到访"), "portal:staff_counter", (Role.CLERK, Role.SUPERVISOR)),
    NavItem(_("在线咨询"), "portal:staff_consultations", (Role.CLERK, Role.SUPERVISOR)),
    NavItem(_("差评跟进"), "portal:staff_ratings", (Role.SUPERVISOR, Role.ADMIN)),
    NavItem(_("预警看板"), "cases:warnings_dashboard", (Role.SUPERVISOR, Role.ADMIN)),
    NavItem(
        _("消息"), "cases:warnings_notifications", (Role.CLERK, Role.MEDIATOR, Role.LIAISON, Role.SUPERVISOR)
    ),
    NavItem(_("逾期回访"), "cases:overdue_follow_ups", (Role.MEDIATOR, Role.SUPERVISOR)),
    NavItem(_("我的案件队列"), "routing:queue", (Role.MEDIATOR,)),
    NavItem(_("待指派案件"), "routing:assign_queue", (Role.SUPERVISOR, Role.ADMIN)),
    NavItem(_("部门协办"), "routing:liaison_queue", (Role.LIAISON,)),
    NavItem(_("超期协办"), "routing:overdue_summonses", (Role.SUPERVISOR, Role.ADMIN)),
    NavItem(_("安全审计"), "accounts:audit_log", (Role.ADMIN,)),
    NavItem(_("系统配置"), "admin:index", (Role.ADMIN,)),
    NavItem(_("敏感信息查看记录"), "cases:reveals", (Role.SUPERVISOR, Role.ADMIN)),
]


def items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    names = roles_of(user).names
    items = []
    for item in NAV_ITEMS:
        if names.intersection(item.roles):
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:  # an app that is switched off contributes nothing
                continue
            items.append({"label": item.label, "url": url, "url_name": item.url_name})
    return items
