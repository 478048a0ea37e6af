from django.contrib import admin

from mediation_center.admin import ReadOnlyAdmin
from risk.models import RiskSignal


@admin.register(RiskSignal)
class RiskSignalAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "level", "state", "center", "last_detected_at"]
    list_filter = ["kind", "level", "state"]
