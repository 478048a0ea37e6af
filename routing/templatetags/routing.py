"""Context for routing's partial on the intake page, and the queue's filter widgets.

The case page's routing section gets its data from ``routing.selectors.routing_section`` (through
``cases.page``), not from a tag."""

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
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
