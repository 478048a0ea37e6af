"""Data for the intake section of the case page, so the shared case view needs no changes."""

from django import template
from django.db.models import Q

from cases.core.access import can_change
from cases.core.models import Case
from cases.intake.forms import AttachmentUploadForm

register = template.Library()


@register.simple_tag(takes_context=True)
def intake_section(context, case) -> dict:
    request = context["request"]
    # The case page has loaded the attachments and decided ``can_change`` already; use them.
    attachments = (
        context["attachments"] if "attachments" in context else case.attachments.select_related("uploaded_by")
    )
    # Cases merged into this one and repeat visits of it: one query for both lists (newest first).
    related = list(
        Case.objects.filter(Q(merged_into=case) | Q(repeat_of=case)).only(
            "pk", "number", "created_at", "merged_into_id", "repeat_of_id"
        )
    )
    return {
        "attachments": list(attachments),
        "upload_form": AttachmentUploadForm(),
        "can_upload": context["can_change"] if "can_change" in context else can_change(request.user, case),
        "merged": [c for c in related if c.merged_into_id == case.pk],
        "repeats": [c for c in related if c.repeat_of_id == case.pk],
    }
