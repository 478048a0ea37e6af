"""The warning dashboard's tables and lists (``cases/warnings/_dashboard_live.html``) written directly.

Through the template engine the page's ~220 center rows and up to 600 list rows cost more CPU than all of
its SQL: each variable a lookup chain, each ``get_…_display`` the field's choices rebuilt and translated,
each date a format string parsed, each ``{% url %}`` a reversal. Here the same markup is written with
``format_html`` (every value escaped, as the template escaped it), labels translated and URLs reversed once
per list. ``tests/rollups/test_dashboard_render.py`` renders the template this replaced
(``tests/reference_templates/_dashboard_live.html``) and compares the two byte for byte.
"""

from collections.abc import Iterable

from django import template
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .case_rows import pk_url
from .choice_labels import choice_label

register = template.Library()


def _at(moment, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """``{{ moment|date:"Y-m-d H:i" }}``: in the current time zone, empty for None."""
    return timezone.localtime(moment).strftime(pattern) if moment else ""


def _joined(rows: list, empty: SafeString) -> SafeString:
    return mark_safe("".join(rows)) if rows else empty


def _none() -> SafeString:
    return format_html("<li>{}</li>", _("无"))


@register.simple_tag
def level_channel_rows(rows: Iterable[dict]) -> SafeString:
    """The level × channel table's body (counts: plain integers, as under ``{% localize off %}``)."""
    return mark_safe(
        "".join(
            format_html(
                '<tr data-level="{}"><td><span class="level level-{}">{}</span></td>{}<td><strong>{}</strong></td></tr>',
                row["level"],
                row["level"],
                row["label"],
                mark_safe("".join(f"<td>{int(n)}</td>" for n in row["cells"])),
                row["total"],
            )
            for row in rows
        )
    )


@register.simple_tag
def center_rows(rows: list[dict]) -> SafeString:
    """The per-center table's body."""
    out = [
        format_html(
            '<tr class="load" style="--load: {}"><td><a href="{}">{}</a></td>{}<td>{}</td></tr>',
            localize(row["load"], use_l10n=False),
            row["url"],
            row["center"],
            mark_safe("".join(f"<td>{int(n)}</td>" for n in row["levels"])),
            row["total"],
        )
        for row in rows
    ]
    return _joined(out, format_html('<tr><td colspan="6">{}</td></tr>', _("暂无在办案件")))


@register.simple_tag
def red_orange_rows(cases, now) -> SafeString:
    out = []
    for case in cases:
        response = case.response_due_at
        out.append(
            format_html(
                '<tr><td><a href="{}">{}</a></td><td><span class="level level-{}">{}</span></td><td>{}</td>'
                "<td{}>{}</td><td>{}</td></tr>",
                case.url,
                case.number,
                case.warning_level,
                choice_label(case, "warning_level"),
                case.center.name,
                mark_safe(' class="overdue"') if response and response < now else "",
                _at(response) or "—",
                _at(case.due_at) or "—",
            )
        )
    return _joined(out, format_html('<tr><td colspan="5">{}</td></tr>', _("暂无红色、橙色预警")))


@register.simple_tag
def overdue_case_items(cases) -> SafeString:
    out = [
        format_html(
            '<li><a href="{}">{}</a> · <span class="overdue">{}</span></li>',
            case.url,
            case.number,
            _at(case.due_at),
        )
        for case in cases
    ]
    return _joined(out, _none())


@register.simple_tag
def overdue_order_items(orders) -> SafeString:
    link = pk_url("cases:warnings_case")
    out = [
        format_html(
            '<li><a href="{}">{}</a> · {} · <span class="overdue">{}</span> · {}</li>',
            link(order.case_id),
            order.case.number,
            order.recipient or order.channel,
            _at(order.deadline),
            choice_label(order, "state"),
        )
        for order in orders
    ]
    return _joined(out, _none())


@register.simple_tag
def overdue_summons_items(summonses) -> SafeString:
    out = [
        format_html(
            '<li><a href="{}">{}</a> · {} · <span class="overdue">{}</span></li>',
            s.case_url,
            s.case.number,
            s.department.name,
            _at(s.deadline),
        )
        for s in summonses
    ]
    return _joined(out, _none())


@register.simple_tag
def overdue_visit_items(visits) -> SafeString:
    out = [
        format_html(
            '<li><a href="{}">{}</a> · {} · <span class="overdue">{}</span></li>',
            v.case_url,
            v.case.number,
            choice_label(v, "reason"),
            v.due_on.strftime("%Y-%m-%d") if v.due_on else "",
        )
        for v in visits
    ]
    return _joined(out, _none())


@register.simple_tag
def escalation_items(changes) -> SafeString:
    out = [
        format_html(
            '<li><a href="{}">{}</a> · {} → <span class="level level-{}">{}</span> · {} · {}</li>',
            c.case_url,
            c.case.number,
            choice_label(c, "from_level"),
            c.to_level,
            choice_label(c, "to_level"),
            _at(c.created_at, "%m-%d %H:%M"),
            c.reason,
        )
        for c in changes
    ]
    return _joined(out, _none())
