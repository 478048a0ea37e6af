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
    NavItem(_("我的案件队列"), "routing:queue", (Role.MEDIATOR,)),
    NavItem(_("部门协办"), "routing:liaison_queue", (Role.LIAISON,)),
    NavItem(_("超期协办"), "routing:overdue_summonses", (Role.SUPERVISOR, Role.ADMIN)),
    NavItem(_("安全审计"), "accounts:audit_log", (Role.ADMIN,)),
    NavItem(_("系统配置"), "admin:index", (Role.ADMIN,)),
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
