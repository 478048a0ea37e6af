"""Administrator screens for warnings: calendar corrections, deadline policies, thresholds."""

from django import forms
from django.contrib import admin, messages
from django.core.validators import MinValueValidator
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from cases.core.models import CalendarDay, CalendarYear, WarningLevel
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
from mediation_center.admin import NumberWithUnit, ReadOnlyAdmin


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

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The unit (calendar or working days) is chosen beside it; the boxes hold any statutory length.
        if db_field.name in ("length", "max_extension_length"):
            kwargs["widget"] = NumberWithUnit(_("天"), digits=4)
        elif db_field.name == "max_extensions":
            kwargs["widget"] = NumberWithUnit(_("次"), digits=3)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "channel", "dispute_type", "source", "active"]
    list_filter = ["active", "channel"]
    inlines = [PolicyClockInline]


# The unit of each threshold, from its key (the keys are fixed in thresholds.SETTING_DEFAULTS).
THRESHOLD_UNITS = [
    ("_percent", _("%")),
    ("_working_days", _("个工作日")),
    ("response_days_", _("天")),
    ("_people_", _("人")),
    ("_amount_", _("元")),
    ("_repeat_", _("次")),
    ("_police_", _("次")),
    ("_failed_", _("次")),
    ("_hours", _("小时")),
    ("_minutes", _("分钟")),
]
LEVEL_CHOICES = [(level.value, level.label) for level in WarningLevel if level.value]


def threshold_unit(key: str) -> str:
    return next((unit for part, unit in THRESHOLD_UNITS if part in key), "")


class WarningSettingForm(forms.ModelForm):
    """A threshold in a box sized for its largest value with its unit; a level setting as the four colours."""

    class Meta:
        model = WarningSetting
        fields = ["value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        key = self.instance.key or ""
        field = self.fields["value"]
        if key.endswith("_level"):
            field.widget = forms.Select(choices=LEVEL_CHOICES)
            field.help_text = _("选择预警颜色。")
        else:
            field.widget = NumberWithUnit(threshold_unit(key), digits=10)
            field.help_text = _("填 0 表示不启用该项。")
            field.validators.append(MinValueValidator(0))
            field.widget.attrs["min"] = 0


@admin.register(WarningSetting)
class WarningSettingAdmin(admin.ModelAdmin):
    form = WarningSettingForm
    list_display = ["label", "value", "key"]  # the unit is printed beside the value's box
    list_editable = ["value"]
    list_display_links = ["label"]
    readonly_fields = ["key", "label"]
    fields = ["label", "key", "value"]

    def get_changelist_form(self, request, **kwargs):
        return WarningSettingForm


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
