from django.contrib import admin

from cases.intake.models import IntakeIdempotencyKey
from mediation_center.admin import ReadOnlyAdmin


@admin.register(IntakeIdempotencyKey)
class IntakeIdempotencyKeyAdmin(ReadOnlyAdmin):
    """The answers external systems were given, kept so a repeated push gets the same answer; may be purged."""

    allow_delete = True
    list_display = ["created_at", "system", "key", "response_status", "case"]
    list_filter = ["system"]
    readonly_fields = [f.name for f in IntakeIdempotencyKey._meta.fields]
