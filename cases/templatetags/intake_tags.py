"""Data for the intake section of the case page, so the shared case view needs no changes."""

from django import template

from cases.access import can_change
from cases.forms.intake import AttachmentUploadForm

register = template.Library()


@register.simple_tag(takes_context=True)
def intake_section(context, case) -> dict:
    request = context["request"]
    return {
        "attachments": list(case.attachments.select_related("uploaded_by")),
        "upload_form": AttachmentUploadForm(),
        "can_upload": can_change(request.user, case),
        "merged": list(case.merged.all()),
        "repeats": list(case.repeats.all()),
    }
