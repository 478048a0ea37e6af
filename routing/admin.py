from django.contrib import admin

from .models import Channel


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "auto_assign", "ordering"]
    list_editable = ["auto_assign", "ordering"]
