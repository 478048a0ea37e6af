from django.contrib import admin

from mediation_center.admin import ReadOnlyAdmin

from .models import ArchivedCase, RetentionRun


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "dry_run", "cases_archived", "citizens_deleted"]


@admin.register(ArchivedCase)
class ArchivedCaseAdmin(ReadOnlyAdmin):
    list_display = ["case_number", "center", "dispute_type", "closed_at", "archived_at"]
    search_fields = ["case_number", "tracking_code", "party_names"]
    exclude = ["snapshot"]
