"""Context for routing's partials on pages other helpers own (the case page, the intake page)."""

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from accounts.access import roles_of
from accounts.models import Center, Membership
from cases.core.access import can_change, supervises
from cases.core.models import Case
from cases.core.states import QUEUE_STATUSES, Status
from routing import selectors
from routing.access import may_claim

register = template.Library()
Role = Membership.Role


@register.simple_tag(takes_context=True)
def routing_case_section(context, case: Case) -> dict:
    """What the case page shows of routing, and which routing actions this user may take."""
    user = context["request"].user
    assignments = selectors.assignments_of(case)
    active = [a for a in assignments if a.ended_at is None]
    # The case page has decided it already (the case view puts it in the context).
    writable = context["can_change"] if "can_change" in context else can_change(user, case)
    supervisor = supervises(user, case.center)
    has_lead = any(a.is_lead for a in active)
    mine = any(a.mediator_id == user.pk for a in active)
    return {
        "route": selectors.latest_route(case),
        "active": active,
        "history": [a for a in assignments if a.ended_at is not None],
        # The case page only renders a case the user may see (get_case_for_user).
        "summonses": list(selectors.summonses_of_visible_case(case)),
        "can_route": writable and case.status == Status.REGISTERED,
        "can_claim": case.status in QUEUE_STATUSES and not has_lead and may_claim(user, case),
        "can_assign": supervisor and case.status in QUEUE_STATUSES,
        "can_transfer": writable and case.status in QUEUE_STATUSES,
        "can_summon": writable and case.is_open and case.status != Status.SUBMITTED,
        "can_recuse": mine or (case.status in QUEUE_STATUSES and may_claim(user, case)),
        "can_grant": supervisor,
        "supervisor": supervisor,
    }


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
