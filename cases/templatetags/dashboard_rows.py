"""The warning dashboard's tables and lists (``cases/warnings/_dashboard_live.html``) written directly.

Through the template engine the page's ~220 center rows and up to 600 list rows cost more CPU than all of
its SQL: each variable a lookup chain, each ``get_…_display`` the field's choices rebuilt and translated,
each date a format string parsed, each ``{% url %}`` a reversal. Here the same markup is written with
f-strings (every value escaped by ``_e``, as the template's ``conditional_escape`` did), labels translated
and URLs reversed once per list. ``tests/rollups/test_dashboard_render.py`` renders the template this replaced
(``tests/reference_templates/_dashboard_live.html``) and compares the two byte for byte.
"""

from collections.abc import Iterable

from django import template
from django.utils import timezone
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .case_rows import pk_url
from .choice_labels import choice_label
from .html_values import escaped

# makemessages does not read inside f-strings: the two empty-table labels below, marked where it looks
_EMPTY_LABELS = (gettext_noop("暂无在办案件"), gettext_noop("暂无红色、橙色预警"))

register = template.Library()


_e = escaped


def _clock():
    """``{{ moment|date:"…" }}`` for many rows: in the current time zone, empty for None."""
    zone = timezone.get_current_timezone()

    def at(moment, pattern: str = "%Y-%m-%d %H:%M") -> str:
        return moment.astimezone(zone).strftime(pattern) if moment else ""

    return at


def _joined(rows: list[str], empty: str) -> SafeString:
    return mark_safe("".join(rows) if rows else empty)


def _none() -> str:
    return f"<li>{_e(_('无'))}</li>"


@register.simple_tag
def level_channel_rows(rows: Iterable[dict]) -> SafeString:
    """The level × channel table's body (counts: plain integers, as under ``{% localize off %}``)."""
    return mark_safe(
        "".join(
            f'<tr data-level="{_e(row["level"])}"><td><span class="level level-{_e(row["level"])}">'
            f"{_e(row['label'])}</span></td>{''.join(f'<td>{int(n)}</td>' for n in row['cells'])}"
            f"<td><strong>{_e(row['total'])}</strong></td></tr>"
            for row in rows
        )
    )


@register.simple_tag
def center_rows(rows: list[dict]) -> SafeString:
    """The per-center table's body."""
    out = [
        f'<tr class="load" style="--load: {_e(localize(row["load"], use_l10n=False))}"><td><a href="{_e(row["url"])}">'
        f"{_e(row['center'])}</a></td>{''.join(f'<td>{int(n)}</td>' for n in row['levels'])}"
        f"<td>{_e(row['total'])}</td></tr>"
        for row in rows
    ]
    return _joined(out, f'<tr><td colspan="6">{_e(_("暂无在办案件"))}</td></tr>')


@register.simple_tag
def red_orange_rows(cases, now) -> SafeString:
    at = _clock()
    out = []
    for case in cases:
        response = case.response_due_at
        late = ' class="overdue"' if response and response < now else ""
        out.append(
            f'<tr><td><a href="{_e(case.url)}">{_e(case.number)}</a></td><td><span class="level '
            f'level-{_e(case.warning_level)}">{_e(choice_label(case, "warning_level"))}</span></td>'
            f"<td>{_e(case.center.name)}</td><td{late}>{_e(at(response) or '—')}</td>"
            f"<td>{_e(at(case.due_at) or '—')}</td></tr>"
        )
    return _joined(out, f'<tr><td colspan="5">{_e(_("暂无红色、橙色预警"))}</td></tr>')


@register.simple_tag
def overdue_case_items(cases) -> SafeString:
    at = _clock()
    out = [
        f'<li><a href="{_e(case.url)}">{_e(case.number)}</a> · <span class="overdue">{_e(at(case.due_at))}</span></li>'
        for case in cases
    ]
    return _joined(out, _none())


@register.simple_tag
def overdue_order_items(orders) -> SafeString:
    at, link = _clock(), pk_url("cases:warnings_case")
    out = [
        f'<li><a href="{_e(link(order.case_id))}">{_e(order.case.number)}</a> · {_e(order.recipient or order.channel)}'
        f' · <span class="overdue">{_e(at(order.deadline))}</span> · {_e(choice_label(order, "state"))}</li>'
        for order in orders
    ]
    return _joined(out, _none())


@register.simple_tag
def overdue_summons_items(summonses) -> SafeString:
    at = _clock()
    out = [
        f'<li><a href="{_e(s.case_url)}">{_e(s.case.number)}</a> · {_e(s.department.name)}'
        f' · <span class="overdue">{_e(at(s.deadline))}</span></li>'
        for s in summonses
    ]
    return _joined(out, _none())


@register.simple_tag
def overdue_visit_items(visits) -> SafeString:
    out = [
        f'<li><a href="{_e(v.case_url)}">{_e(v.case.number)}</a> · {_e(choice_label(v, "reason"))}'
        f' · <span class="overdue">{_e(v.due_on.strftime("%Y-%m-%d") if v.due_on else "")}</span></li>'
        for v in visits
    ]
    return _joined(out, _none())


@register.simple_tag
def escalation_items(changes) -> SafeString:
    at = _clock()
    out = [
        f'<li><a href="{_e(c.case_url)}">{_e(c.case.number)}</a> · {_e(choice_label(c, "from_level"))} → '
        f'<span class="level level-{_e(c.to_level)}">{_e(choice_label(c, "to_level"))}</span>'
        f" · {_e(at(c.created_at, '%m-%d %H:%M'))} · {_e(c.reason)}</li>"
        for c in changes
    ]
    return _joined(out, _none())
