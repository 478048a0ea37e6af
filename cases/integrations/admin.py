"""Administrators' screens: each external system's webhook (URL, secret shown once, event types, on/off, test
event) and the delivery log with a resend action for parked events.

The external system's admin is replaced here (accounts registers the plain one): the webhook is this
sub-domain's concern, and accounts knows nothing of cases.
"""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from accounts.models import ExternalSystem
from cases.integrations import events, services
from cases.integrations.models import OutboundEvent
from mediation_center.admin import ReadOnlyAdmin
from mediation_center.errors import DomainError


class ExternalSystemForm(forms.ModelForm):
    webhook_url = forms.URLField(label=_("回调地址"), max_length=300, required=False, assume_scheme="https")
    webhook_event_types = forms.MultipleChoiceField(
        label=_("推送的事件类型"),
        choices=events.CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示推送全部事件类型。"),
    )

    class Meta:
        model = ExternalSystem
        fields = [
            "code",
            "name",
            "user",
            "center",
            "source",
            "webhook_url",
            "webhook_event_types",
            "webhook_enabled",
        ]

    def clean(self):
        data = super().clean()
        if data.get("webhook_enabled") and not data.get("webhook_url"):
            self.add_error("webhook_url", _("启用事件推送时须填写回调地址。"))
        return data


def _show_secret_once(request, system, secret: str) -> None:
    messages.warning(
        request,
        _t("%(system)s 的新签名密钥（仅显示这一次，请立即复制到对方系统）：%(secret)s")
        % {"system": system.name, "secret": secret},
    )


if admin.site.is_registered(ExternalSystem):
    admin.site.unregister(ExternalSystem)


@admin.register(ExternalSystem)
class ExternalSystemAdmin(admin.ModelAdmin):
    form = ExternalSystemForm
    list_display = ["code", "name", "source", "center", "webhook_enabled", "webhook_url", "delivery_log"]
    readonly_fields = ["secret_state"]
    actions = ["rotate_secret", "send_test"]

    @admin.display(description=_("签名密钥"))
    def secret_state(self, obj):
        if not obj or not obj.webhook_secret:
            return _t("未设置（启用推送并保存后生成）")
        return _t("已设置，末四位 %(tail)s（轮换后显示新密钥一次）") % {"tail": obj.webhook_secret[-4:]}

    @admin.display(description=_("投递记录"))
    def delivery_log(self, obj):
        url = reverse("admin:cases_outboundevent_changelist") + f"?system__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _t("查看"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.webhook_enabled and not obj.webhook_secret:
            # the admin's save runs in its own transaction: the secret is set as a step of it
            _show_secret_once(request, obj, services.rotate_webhook_secret.step(obj, actor=request.user))

    @admin.action(description=_("轮换签名密钥"))
    def rotate_secret(self, request, queryset):
        for system in queryset:
            _show_secret_once(request, system, services.rotate_webhook_secret(system, actor=request.user))

    @admin.action(description=_("发送测试事件"))
    def send_test(self, request, queryset):
        for system in queryset:
            try:
                row = services.send_test_event(system, actor=request.user)
            except DomainError as exc:
                messages.error(request, f"{system.name}：{exc.message}")
            else:
                messages.success(request, _t("已排队测试事件 %(id)s。") % {"id": row.event_id})


@admin.register(OutboundEvent)
class OutboundEventAdmin(ReadOnlyAdmin):
    """The delivery log: read-only, with one action, resending parked events."""

    list_display = [
        "created_at",
        "system",
        "case",
        "type",
        "state",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["state", "system", "type"]
    search_fields = ["event_id", "case__number"]
    list_select_related = ["system", "case"]
    actions = ["resend"]

    @admin.action(description=_("重新投递所选已搁置事件"))
    def resend(self, request, queryset):
        count = services.resend_events(list(queryset.values_list("pk", flat=True)), actor=request.user)
        messages.success(request, _t("已重新排队 %(count)s 个事件。") % {"count": count})
