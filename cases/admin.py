"""Admin registrations for cases, one module per sub-domain."""

from django.contrib import admin

from cases.core.models import DisputeType
from cases.intake.models import IntakeIdempotencyKey
from cases.portal import admin as portal_admin  # noqa: F401
from cases.warnings import admin as warnings_admin  # noqa: F401


@admin.register(DisputeType)
class DisputeTypeAdmin(admin.ModelAdmin):
    """The dispute taxonomy is data: administrators add, rename, reorder or switch off types."""

    list_display = ["name", "code", "name_en", "active", "ordering"]
    list_editable = ["active", "ordering"]
    search_fields = ["name", "code"]


@admin.register(IntakeIdempotencyKey)
class IntakeIdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ["created_at", "system", "key", "response_status", "case"]
    list_filter = ["system"]
    readonly_fields = [f.name for f in IntakeIdempotencyKey._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
