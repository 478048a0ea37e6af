"""Admin for the portal: per-center appointment periods (settings an administrator edits) and records."""

from django.contrib import admin

from cases.portal.models import (
    ApplicationConsent,
    AppointmentSchedule,
    AppointmentSlot,
    Consultation,
    HomeVisitRequest,
    Rating,
)
from mediation_center.admin import ReadOnlyAdmin


@admin.register(AppointmentSchedule)
class AppointmentScheduleAdmin(admin.ModelAdmin):
    list_display = ["center", "start", "end", "capacity", "extended_hours", "weekdays"]
    list_filter = ["extended_hours", "center"]


@admin.register(AppointmentSlot)
class AppointmentSlotAdmin(admin.ModelAdmin):
    list_display = ["center", "date", "start", "end", "capacity", "booked", "extended_hours"]
    list_filter = ["center", "date"]
    readonly_fields = ["booked"]  # changed only by booking and cancelling


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["center", "created_at", "answered_at"]
    readonly_fields = ["citizen", "question", "created_at", "answer", "answered_by", "answered_at"]


@admin.register(HomeVisitRequest)
class HomeVisitRequestAdmin(admin.ModelAdmin):
    list_display = ["center", "preferred_date", "state"]
    list_filter = ["state"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["case", "score", "flagged", "created_at", "followed_up_at"]
    list_filter = ["score", "flagged"]

    def has_change_permission(self, request, obj=None):
        return False  # ratings are the citizens' words

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApplicationConsent)
class ApplicationConsentAdmin(ReadOnlyAdmin):
    """个人信息保护法 art. 14: what each online applicant consented to and when; written only by the application."""

    list_display = ["case", "citizen", "notice_version", "consented_at", "submitted_at"]
    list_filter = ["notice_version"]
