"""Context for routing's partial on the intake page, and the queue's filter widgets.

The case page's routing section gets its data from ``routing.selectors.routing_section`` (through
``cases.page``), not from a tag."""

from html import escape

from django import template
from django.forms import BoundField
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.access import roles_of
from accounts.models import Center
from routing import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def on_duty_today(context, center: Center | None = None) -> dict:
    """Departments sitting at the center today: the rota's rotating ones and the resident ones.

    Without ``center`` it uses the first center where the signed-in user works.
    """
    if center is None:
        request = context.get("request")
        centers = roles_of(request.user).centers() if request else []
        center = centers[0] if centers else None
    if center is None:
        return {"center": None, "rota": [], "resident": []}
    return {
        "center": center,
        "rota": list(selectors.on_duty(center)),
        "resident": list(selectors.resident_departments(center)),
    }


# --- The queue's filter form ---------------------------------------------------------------
# Django renders a <select> through a template per option (≈30 on the queue's filters, a third of the
# page's rendering time); these write the same markup directly.


@register.simple_tag
def filter_select(field: BoundField) -> SafeString:
    """``{{ field }}`` of a ChoiceField without the widget templates: the same name, id and selection."""
    value = field.value()
    selected = "" if value is None else str(value)
    options = "".join(
        f'<option value="{_escape(key)}"{" selected" if str(key) == selected else ""}>{_escape(label)}</option>'
        for key, label in field.field.choices
    )
    return format_html(
        '<select name="{}" id="{}">{}</select>', field.html_name, field.auto_id, mark_safe(options)
    )


def _escape(value) -> str:
    """``conditional_escape`` without its lazy wrapper's cost (called for every option and row value)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


@register.simple_tag
def filter_checkbox(field: BoundField) -> SafeString:
    """``{{ field }}`` of a BooleanField without the widget template."""
    checked = " checked" if field.value() else ""
    return format_html('<input type="checkbox" name="{}" id="{}"{}>', field.html_name, field.auto_id, checked)


# --- The queue's rows ------------------------------------------------------------------------
# Through the template engine a row of the queue cost ~0.3 ms of CPU (nine translated labels, two or three URL
# reversals, the deadline tag, two choice labels, the parties' and mediators' loops): at 25 rows more than
# all the page's SQL; written with ``format_html`` (an escape call per value, ~40 a row) still ~0.1 ms. This
# writes the same markup from the page's ``QueueRow`` values: the labels translated, escaped and the URLs
# reversed once per page, baked into one row pattern, each row's own values escaped with ``html.escape`` (what
# Django's ``escape`` does). tests/routing/test_queue_rows.py renders the template this replaces from the case
# rows the pages read before and compares the two byte for byte.


def _literal(markup: str) -> str:
    """Markup (already escaped) as a literal part of a ``str.format`` pattern."""
    return markup.replace("{", "{{").replace("}", "}}")


def _url_pattern(name: str) -> str:
    """``{% url name pk %}`` as part of a row pattern: reversed once, escaped, the pk left as ``{pk}``."""
    from cases.templatetags.case_rows import pk_url

    head, tail = escape(pk_url(name)("\x00")).split("\x00")
    return f"{_literal(head)}{{pk}}{_literal(tail)}"


@register.simple_tag(takes_context=True)
def queue_rows(context, rows, tab: str) -> SafeString:
    """The ``<tr>`` of ``routing/_queue_results.html`` for each ``QueueRow`` (``tab``: "mine", "channel" or
    "assign"), or its empty row."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from cases.core.models import Case
    from cases.templatetags.choice_labels import labels_of
    from cases.templatetags.deadlines import remaining

    if not rows:
        return format_html('<tr><td colspan="10" class="text-body-secondary">{}</td></tr>', _("暂无案件"))
    label = {
        key: _literal(escape(_(text)))
        for key, text in (
            ("left", "剩余时间"),
            ("level", "预警"),
            ("number", "案号"),
            ("type", "纠纷类型"),
            ("parties", "当事人"),
            ("channel", "渠道"),
            ("status", "状态"),
            ("mediators", "调解员"),
        )
    }
    levels, statuses = labels_of(Case, "warning_level"), labels_of(Case, "status")
    lead = f"（{escape(_('主办'))}）"
    detail_url = _url_pattern("cases:detail")
    pick = action = ""
    if tab == "assign":
        assign_url = _url_pattern("routing:assign")
        pick = (
            '<td class="pick"><input class="form-check-input" type="checkbox" name="cases" value="{pk}" '
            'form="bulk-assign" id="pick-{pk}" data-testid="pick-{pk}"><label class="visually-hidden" '
            'for="pick-{pk}">{pick}</label></td>'
        )
        action = (
            f'<td class="actions"><a class="btn btn-outline-primary btn-sm" href="{assign_url}" '
            f'hx-get="{assign_url}?from=list" hx-target="closest tr" hx-swap="afterend" '
            f'data-assign-one="{{pk}}" data-testid="assign-one-{{pk}}">{_literal(escape(_("单独指派")))}</a></td>'
        )
    elif tab == "channel":
        claim_url = _url_pattern("routing:claim")
        token = context.get("csrf_token")
        csrf = (
            _literal(f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">')
            if token and token != "NOTPROVIDED"
            else ""
        )
        action = (
            f'<td class="actions"><form method="post" action="{claim_url}" hx-post="{claim_url}" '
            f'hx-target="closest tr" hx-swap="outerHTML" class="m-0">{csrf}<input type="hidden" name="from" '
            f'value="list"><button type="submit" class="btn btn-primary btn-sm" data-testid="claim-{{pk}}">'
            f"{_literal(escape(_('认领')))}</button></form></td>\n      "
        )
    pattern = (
        '\n    <tr data-case="{pk}" id="queue-row-{pk}">'
        f"\n      {pick}"
        f'\n      <td data-label="{label["left"]}">{{left}}</td>'
        f'\n      <td data-label="{label["level"]}"><span class="level level-{{level}}">{{level_label}}</span></td>'
        f'\n      <td data-label="{label["number"]}"><a href="{detail_url}">{{number}}</a></td>'
        f'\n      <td data-label="{label["type"]}">{{dispute_type}}</td>'
        f'\n      <td data-label="{label["parties"]}">{{parties}}</td>'
        f'\n      <td data-label="{label["channel"]}">{{channel}}</td>'
        f'\n      <td data-label="{label["status"]}">{{status}}</td>'
        f'\n      <td data-label="{label["mediators"]}">{{mediators}}</td>'
        f"\n      {action}"
        "\n    </tr>\n  "
    )
    pick_label = _("选择 %(number)s")
    now = timezone.now()
    out = []
    for row in rows:
        number = escape(str(row.number))
        mediators = "、".join(escape(name) + (lead if is_lead else "") for name, is_lead in row.mediators)
        out.append(
            pattern.format(
                pk=row.pk,
                # the label as translated (not escaped, as before), the number in it escaped
                pick=pick_label % {"number": number} if tab == "assign" else "",
                left=remaining(row.due_at, row.warning_level, now),
                level=escape(str(row.warning_level)),
                level_label=escape(str(levels.get(row.warning_level, row.warning_level))),
                number=number,
                dispute_type=escape(row.dispute_type),
                parties="、".join(escape(name) for name in row.parties),
                channel=escape(row.channel) if row.channel else "—",
                status=escape(str(statuses.get(row.status, row.status))),
                mediators=mediators or "—",
            )
        )
    return mark_safe("".join(out))
