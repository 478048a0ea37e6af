from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from mediation_center.admin import ReadOnlyAdmin

from .models import Center, Department, ExternalSystem, Membership, SecurityAuditEvent, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["center", "department"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "kind", "is_active", "is_staff"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["username", "display_name"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("业务信息"), {"fields": ("kind", "display_name", "phone")}),)
    inlines = [MembershipInline]


@admin.register(Center)
class CenterAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "level", "parent", "area_code", "require_evaluation"]
    list_filter = ["level"]
    search_fields = ["name", "short_name", "area_code"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "short_name",
                    "level",
                    "parent",
                    "area_code",
                    "time_zone",
                    "require_evaluation",
                ]
            },
        ),
        (
            _("对外公布的联系方式（显示在群众服务首页和各类文书上）"),
            {"fields": ["address", "phone", "office_hours"]},
        ),
    ]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "center", "seating", "channel"]
    list_filter = ["seating", "center"]
    search_fields = ["name", "code"]


@admin.register(ExternalSystem)
class ExternalSystemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "source", "center"]


@admin.register(SecurityAuditEvent)
class SecurityAuditEventAdmin(ReadOnlyAdmin):
    """Read-only: audit rows can be read and filtered, never changed or deleted here."""

    list_display = ["created_at", "type", "username", "ip_address", "success"]
    list_filter = ["type", "success"]
    search_fields = ["username", "ip_address"]
