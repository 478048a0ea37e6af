from django.contrib import admin

from mediation_center.admin import ReadOnlyAdmin

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


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["position", "name", "channel", "target_level", "priority", "active", "is_default"]
    list_display_links = ["name"]
    list_editable = ["position", "active"]
    list_filter = ["channel", "target_level", "active"]
    filter_horizontal = ["dispute_types"]
    readonly_fields = ["is_default"]

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
