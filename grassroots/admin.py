from django.contrib import admin

from .models import GridArea, ReferenceList


@admin.register(ReferenceList)
class ReferenceListAdmin(admin.ModelAdmin):
    """The seed's three reference lists, maintained here; a screening round may use one as its checklist."""

    list_display = ["kind", "updated_at"]


@admin.register(GridArea)
class GridAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "center"]
    list_filter = ["center"]
    filter_horizontal = ["workers"]
