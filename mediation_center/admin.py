"""What every app's admin shares."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services (history, audit trails, decisions, citizens' words): the admin may
    look and filter, never add or change. ``allow_delete`` lets housekeeping rows (idempotency keys) be purged."""

    allow_delete = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and super().has_delete_permission(request, obj)
