"""Administrator screens for warnings: calendar corrections, deadline policies, thresholds."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _t

from cases.core.models import CalendarDay, CalendarYear
from cases.core.workcalendar import provisional_years
from cases.warnings.models import (
    CaseConference,
    DeadlinePolicy,
    Notification,
    PolicyClock,
    SupervisionOrder,
    WarningChange,
    WarningSetting,
)
from mediation_center.admin import ReadOnlyAdmin


class ProvisionalYearWarning:
    """Warn administrators, on the calendar screens, about years still computed provisionally."""

    def changelist_view(self, request, extra_context=None):
        years = provisional_years()
        if years:
            messages.warning(
                request,
                _t(
                    "%(years)s 年尚无官方放假安排：相关期限按周末和固定日期节日暂定计算，并标为“暂定”。请在公布后录入。"
                )
                % {"years": "、".join(str(y) for y in years)},
            )
        return super().changelist_view(request, extra_context)


@admin.register(CalendarDay)
class CalendarDayAdmin(ProvisionalYearWarning, admin.ModelAdmin):
    list_display = ["date", "is_workday", "name", "source"]
    list_filter = ["is_workday", "source"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        obj.source = CalendarDay.Source.ADMIN  # a corrected day is never overwritten by the seed
        super().save_model(request, obj, form, change)


@admin.register(CalendarYear)
class CalendarYearAdmin(ProvisionalYearWarning, admin.ModelAdmin):
    list_display = ["year", "official", "source", "note"]


class PolicyClockInline(admin.TabularInline):
    model = PolicyClock
    extra = 0


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "channel", "dispute_type", "source", "active"]
    list_filter = ["active", "channel"]
    inlines = [PolicyClockInline]


@admin.register(WarningSetting)
class WarningSettingAdmin(admin.ModelAdmin):
    list_display = ["label", "key", "value"]
    list_editable = ["value"]
    readonly_fields = ["key"]


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(admin.ModelAdmin):
    list_display = ["case", "recipient", "channel", "deadline", "state", "created_at"]
    list_filter = ["state"]
    raw_id_fields = ["case", "issued_by", "recipient", "acknowledged_by", "reported_by"]


@admin.register(CaseConference)
class CaseConferenceAdmin(admin.ModelAdmin):
    list_display = ["case", "held_at", "recorded_by"]
    raw_id_fields = ["case", "recorded_by"]


@admin.register(WarningChange)
class WarningChangeAdmin(ReadOnlyAdmin):
    """Read-only: level changes are history."""

    list_display = ["case", "from_level", "to_level", "basis", "reason", "created_at"]
    list_filter = ["to_level", "basis"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "email_state", "created_at", "read_at"]
    list_filter = ["email_state", "kind"]
    raw_id_fields = ["user", "case"]
