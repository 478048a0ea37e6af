from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.models import Center, Department
from cases.core.models import Source
from mediation_center.admin import NumberWithUnit, ReadOnlyAdmin

from .models import (
    CaseAssignment,
    Channel,
    InterestDeclaration,
    RotaEntry,
    RouteDecision,
    RoutingRule,
    Summons,
)


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "auto_assign", "ordering"]
    list_editable = ["auto_assign", "ordering"]


def _with_unknown(choices: list[tuple], stored) -> list[tuple]:
    """Keep a stored value no list offers any more (e.g. a department since renamed) visible and ticked:
    an edit must never drop a condition silently."""
    known = {str(value) for value, _label in choices}
    return choices + [
        (value, _("%(value)s（已不在列表中）") % {"value": value})
        for value in stored or []
        if str(value) not in known
    ]


class RoutingRuleForm(forms.ModelForm):
    """The rule's list conditions and results as ticks from the real choices, saved in the JSON shape
    ``routing/rules.py`` reads (lists of source codes, level numbers, department codes)."""

    sources = forms.MultipleChoiceField(
        label=_("案件来源"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("勾选适用的来源；都不勾表示不限来源。"),
    )
    center_levels = forms.TypedMultipleChoiceField(
        label=_("受理中心层级"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("勾选适用的受理中心层级；都不勾表示不限层级。"),
    )
    department_codes = forms.MultipleChoiceField(
        label=_("需吹哨的部门"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("分流时通知这些部门到场协办（按部门代码匹配承办中心及其上级的部门）；可不选。"),
    )

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "code",
            "position",
            "active",
            "dispute_types",
            "sources",
            "center_levels",
            "min_amount",
            "max_amount",
            "min_people",
            "max_people",
            "risk",
            "channel",
            "target_level",
            "department_codes",
            "summons_hours",
            "priority",
            "reason",
        ]
        widgets = {
            "dispute_types": forms.CheckboxSelectMultiple,
            "min_amount": NumberWithUnit(_("元"), digits=14),
            "max_amount": NumberWithUnit(_("元"), digits=14),
            "min_people": NumberWithUnit(_("人"), digits=7),
            "max_people": NumberWithUnit(_("人"), digits=7),
            "summons_hours": NumberWithUnit(_("小时"), digits=5),
            "position": NumberWithUnit("", digits=6),
            "priority": NumberWithUnit("", digits=4),
        }
        help_texts = {
            "dispute_types": _("勾选适用的纠纷类型；都不勾表示不限类型。"),
            "min_amount": _("涉及金额不低于该数（元）时匹配；留空表示不限。"),
            "max_amount": _("涉及金额低于该数（元）时匹配；留空表示不限。"),
            "min_people": _("涉及人数不少于该数时匹配；留空表示不限。"),
            "max_people": _("涉及人数少于该数时匹配；留空表示不限。"),
            "risk": _("按案件登记时的风险标记（暴力、群体性事件、越级上访）匹配。"),
            "channel": _("匹配后建议分流到的渠道。"),
            "target_level": _("留在受理中心，或上移到上一级、县级中心办理。"),
            "summons_hours": _("被吹哨部门须在该小时数内报到。"),
            "priority": _("数字越大越优先，影响队列排序。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rule = self.instance
        self.fields["sources"].choices = _with_unknown(list(Source.choices), rule.sources)
        self.fields["center_levels"].choices = _with_unknown(list(Center.Level.choices), rule.center_levels)
        departments = {}
        for code, name in Department.objects.order_by("center__path", "name").values_list("code", "name"):
            departments.setdefault(code, name)
        self.fields["department_codes"].choices = _with_unknown(
            [(code, f"{name}（{code}）") for code, name in departments.items()], rule.department_codes
        )


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm

    class Media:
        css = {"all": ["css/admin-choices.css"]}

    list_display = ["position", "name", "channel", "target_level", "priority", "active", "is_default"]
    list_display_links = ["name"]
    list_editable = ["position", "active"]
    list_filter = ["channel", "target_level", "active"]
    readonly_fields = ["is_default"]
    fieldsets = [
        (None, {"fields": ["name", "code", "position", "active", "is_default"]}),
        (
            _("匹配条件（都不填表示不限，全部条件都满足才匹配）"),
            {
                "fields": [
                    "dispute_types",
                    "sources",
                    "center_levels",
                    ("min_amount", "max_amount"),
                    ("min_people", "max_people"),
                    "risk",
                ]
            },
        ),
        (
            _("分流结果"),
            {
                "fields": [
                    "channel",
                    "target_level",
                    "department_codes",
                    "summons_hours",
                    "priority",
                    "reason",
                ]
            },
        ),
    ]

    def has_delete_permission(self, request, obj=None):
        # The default rule must always exist: it is what routes a case no other rule matches.
        if obj is not None and obj.is_default:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_default:
            fields.append("active")
        return fields


@admin.register(RotaEntry)
class RotaEntryAdmin(admin.ModelAdmin):
    list_display = ["center", "weekday", "department", "staff_name", "valid_from", "valid_until"]
    list_filter = ["center", "weekday"]


@admin.register(RouteDecision)
class RouteDecisionAdmin(ReadOnlyAdmin):
    list_display = ["case", "rule_name", "channel", "center", "overridden", "decided_by", "decided_at"]


@admin.register(CaseAssignment)
class CaseAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["case", "mediator", "is_lead", "how", "assigned_at", "ended_at"]


@admin.register(Summons)
class SummonsAdmin(ReadOnlyAdmin):
    list_display = ["case", "department", "state", "deadline", "responded_at"]
    list_filter = ["state"]


@admin.register(InterestDeclaration)
class InterestDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["case", "user", "reason", "declared_by", "declared_at"]
