"""Context for routing's partial on the intake page, and the queue's filter widgets.

The case page's routing section gets its data from ``routing.selectors.routing_section`` (through
``cases.page``), not from a tag."""

from django import template
from django.forms import BoundField
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString

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
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((key, " selected" if str(key) == selected else "", label) for key, label in field.field.choices),
    )
    return format_html('<select name="{}" id="{}">{}</select>', field.html_name, field.auto_id, options)


@register.simple_tag
def filter_checkbox(field: BoundField) -> SafeString:
    """``{{ field }}`` of a BooleanField without the widget template."""
    checked = " checked" if field.value() else ""
    return format_html('<input type="checkbox" name="{}" id="{}"{}>', field.html_name, field.auto_id, checked)


# --- The queue's rows ------------------------------------------------------------------------
# Through the template engine a row of the queue cost ~0.3 ms of CPU (nine translated labels, two or three URL
# reversals, the deadline tag, two choice labels, the parties' and mediators' loops): at 25 rows more than
# all the page's SQL. These write the same markup (every value escaped, as the template escaped it), with
# the labels translated and the URLs reversed once per page; tests/routing/test_queue_rows.py renders the
# template this replaces and compares the two byte for byte.


@register.simple_tag(takes_context=True)
def queue_rows(context, cases, tab: str) -> SafeString:
    """The ``<tr>`` of ``routing/_queue_results.html`` for each case (``tab``: "mine", "channel" or
    "assign"), or its empty row."""
    from django.utils import timezone
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext as _

    from cases.templatetags.case_rows import names, pk_url, related_name
    from cases.templatetags.choice_labels import choice_label
    from cases.templatetags.deadlines import remaining

    label = {
        key: _(text)
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
    lead = _("主办")
    detail_url = pk_url("cases:detail")
    if tab == "channel":
        claim_url, claim = pk_url("routing:claim"), _("认领")
        token = context.get("csrf_token")
        csrf = (
            format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
            if token and token != "NOTPROVIDED"
            else ""
        )
    elif tab == "assign":
        assign_url, assign_one = pk_url("routing:assign"), _("单独指派")
    now = timezone.now()
    rows = []
    for case in cases:
        pk = case.pk
        pick = action = ""
        if tab == "assign":
            pick = format_html(
                '<td class="pick"><input class="form-check-input" type="checkbox" name="cases" value="{}" '
                'form="bulk-assign" id="pick-{}" data-testid="pick-{}"><label class="visually-hidden" '
                'for="pick-{}">{}</label></td>',
                pk,
                pk,
                pk,
                pk,
                mark_safe(_("选择 %(number)s") % {"number": conditional_escape(case.number)}),
            )
            action = format_html(
                '<td class="actions"><a class="btn btn-outline-primary btn-sm" href="{}" hx-get="{}?from=list" '
                'hx-target="closest tr" hx-swap="afterend" data-assign-one="{}" data-testid="assign-one-{}">{}'
                "</a></td>",
                assign_url(pk),
                assign_url(pk),
                pk,
                pk,
                assign_one,
            )
        elif tab == "channel":
            action = format_html(
                '<td class="actions"><form method="post" action="{}" hx-post="{}" hx-target="closest tr" '
                'hx-swap="outerHTML" class="m-0">{}<input type="hidden" name="from" value="list"><button '
                'type="submit" class="btn btn-primary btn-sm" data-testid="claim-{}">{}</button></form></td>\n      ',
                claim_url(pk),
                claim_url(pk),
                csrf,
                pk,
                claim,
            )
        mediators = (
            mark_safe(
                "、".join(
                    conditional_escape(str(a.mediator)) + (f"（{conditional_escape(lead)}）" if a.is_lead else "")
                    for a in case.active_assignments
                )
            )
            if case.active_assignments
            else "—"
        )
        rows.append(
            format_html(
                '\n    <tr data-case="{}" id="queue-row-{}">'
                "\n      {}"
                '\n      <td data-label="{}">{}</td>'
                '\n      <td data-label="{}"><span class="level level-{}">{}</span></td>'
                '\n      <td data-label="{}"><a href="{}">{}</a></td>'
                '\n      <td data-label="{}">{}</td>'
                '\n      <td data-label="{}">{}</td>'
                '\n      <td data-label="{}">{}</td>'
                '\n      <td data-label="{}">{}</td>'
                '\n      <td data-label="{}">{}</td>'
                "\n      {}"
                "\n    </tr>\n  ",
                pk,
                pk,
                pick,
                label["left"],
                remaining(case.due_at, case.warning_level, now),
                label["level"],
                case.warning_level,
                choice_label(case, "warning_level"),
                label["number"],
                detail_url(pk),
                case.number,
                label["type"],
                related_name(case, "dispute_type"),
                label["parties"],
                names(case.parties.all()),
                label["channel"],
                related_name(case, "channel") or "—",
                label["status"],
                choice_label(case, "status"),
                label["mediators"],
                mediators,
                action,
            )
        )
    if not rows:
        return format_html('<tr><td colspan="10" class="text-body-secondary">{}</td></tr>', _("暂无案件"))
    return mark_safe("".join(rows))
