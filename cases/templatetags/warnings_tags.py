"""The warnings summary on the case page (its context comes from here, not from the case view)."""

from django import template

from cases.core.access import supervises

register = template.Library()


@register.inclusion_tag("cases/warnings/_summary.html", takes_context=True)
def case_warning_summary(context, case):
    request = context.get("request")
    user = getattr(request, "user", None)
    clocks = list(case.clocks.filter(stopped_at__isnull=True).order_by("due_at"))
    open_orders = list(case.supervision_orders.exclude(state="reported").order_by("deadline"))
    return {
        "case": case,
        "clocks": clocks,
        "open_orders": open_orders,
        "is_supervisor": bool(user) and supervises(user, case.center),
    }
