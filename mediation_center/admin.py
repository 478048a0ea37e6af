"""What every app's admin shares."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html


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


class NumberWithUnit(forms.NumberInput):
    """A number box wide enough for its largest value (``digits``), with its unit (人, 元, 次, 天) after it:
    a red threshold of 1000000 is shown whole, never cut to "100000"."""

    def __init__(self, unit: str = "", *, digits: int = 10, attrs=None):
        width = f"{digits + 3}ch"
        super().__init__(attrs={"style": f"width: {width}; min-width: {width}", **(attrs or {})})
        self.unit = unit

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        if not self.unit:
            return box
        return format_html('{} <span class="unit" data-unit="{}">{}</span>', box, self.unit, self.unit)
