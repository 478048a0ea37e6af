"""The case conversation (在线调解) and the parties' identity checks (核验身份) on the staff case page."""

from django import template

from cases.core.access import can_change, may_verify_identity
from cases.portal.selectors import case_messages

register = template.Library()


@register.inclusion_tag("cases/portal/staff/_case_conversation.html", takes_context=True)
def portal_case_conversation(context, case):
    user = context["request"].user
    return {
        "case": case,
        "conversation": list(case_messages(case)),
        "can_post": context.get("can_change", None) if "can_change" in context else can_change(user, case),
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }


@register.inclusion_tag("cases/portal/staff/_case_identity.html", takes_context=True)
def portal_case_identity(context, case):
    """Which parties' ID numbers staff saw in person; only those link a portal citizen to this case."""
    parties = context.get("parties")
    parties = [p for p in (case.parties.all() if parties is None else parties) if p.id_number]
    return {
        "case": case,
        "parties": parties,
        "may_verify": may_verify_identity(context["request"].user, case),
        "csrf_token": context.get("csrf_token"),
    }
