from django.contrib import admin

from cases.core.models import DisputeType


@admin.register(DisputeType)
class DisputeTypeAdmin(admin.ModelAdmin):
    """The dispute taxonomy is data: administrators add, rename, reorder or switch off types."""

    list_display = ["name", "code", "name_en", "active", "ordering"]
    list_editable = ["active", "ordering"]
    search_fields = ["name", "code"]
