from django.contrib import admin

from .models import Credential, DifficultyWeight, GroupMember, MediationGroup, MediatorProfile


class CredentialInline(admin.TabularInline):
    model = Credential
    extra = 0


@admin.register(MediatorProfile)
class MediatorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "outside_expert", "is_public", "active"]
    list_filter = ["kind", "outside_expert", "is_public", "active"]
    search_fields = ["user__display_name", "user__username"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["centers", "channels", "specialties"]
    inlines = [CredentialInline]


class MemberInline(admin.TabularInline):
    model = GroupMember
    extra = 0
    autocomplete_fields = ["profile"]


@admin.register(MediationGroup)
class MediationGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "center", "is_public", "active"]
    list_filter = ["kind", "is_public", "active"]
    search_fields = ["name"]
    filter_horizontal = ["specialties"]
    inlines = [MemberInline]


@admin.register(DifficultyWeight)
class DifficultyWeightAdmin(admin.ModelAdmin):
    list_display = ["dispute_type", "risk_level", "weight"]
