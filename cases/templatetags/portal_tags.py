"""The case conversation (在线调解) on the staff case page."""

from django import template

from cases.access import can_change
from cases.selectors_portal import case_messages

register = template.Library()


@register.inclusion_tag("portal/staff/_case_conversation.html", takes_context=True)
def portal_case_conversation(context, case):
    user = context["request"].user
    return {
        "case": case,
        "conversation": list(case_messages(case)),
        "can_post": context.get("can_change", None) if "can_change" in context else can_change(user, case),
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
