from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eservice.models import DocumentService, ServiceConsent


class _PartyForm(forms.Form):
    """``parties``: the case's parties; ``documents``: the registry's documents a party may have now."""

    party = forms.TypedChoiceField(
        label=_("受送达人"), coerce=int, error_messages={"invalid_choice": _("请选择本案的当事人。")}
    )

    def __init__(self, *args, parties=(), documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [(p.pk, f"{p.get_role_display()} {p.name}") for p in parties]
        if "kind" in self.fields:
            self.fields["kind"].choices = [(d.kind, d.label) for d in documents]


class ConsentForm(_PartyForm):
    METHODS = [
        (ServiceConsent.Method.COUNTER, ServiceConsent.Method.COUNTER.label),
        (ServiceConsent.Method.ONLINE_APPLICATION, ServiceConsent.Method.ONLINE_APPLICATION.label),
    ]
    action = forms.ChoiceField(
        choices=[("give", _("登记同意")), ("withdraw", _("撤回同意"))],
        error_messages={"invalid_choice": _("操作无效。")},
    )
    method = forms.ChoiceField(
        label=_("同意方式"),
        choices=METHODS,
        required=False,
        error_messages={"invalid_choice": _("同意方式须为窗口书面同意或在线申请时同意。")},
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "give" and not data.get("method"):
            self.add_error("method", _("请选择同意方式。"))
        return data


class ServeForm(_PartyForm):
    kind = forms.ChoiceField(
        label=_("文书"), error_messages={"invalid_choice": _("本案目前没有这份可以送达当事人的文书。")}
    )


class PaperServiceForm(_PartyForm):
    kind = forms.ChoiceField(
        label=_("文书"), error_messages={"invalid_choice": _("本案目前没有这份可以送达当事人的文书。")}
    )
    method = forms.ChoiceField(
        label=_("送达方式"),
        choices=[(m.value, m.label) for m in DocumentService.PAPER_METHODS],
        error_messages={"invalid_choice": _("送达方式须为邮寄送达、直接送达或留置送达。")},
    )
    served_at = forms.DateTimeField(
        label=_("送达时间"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "invalid": _("请填写有效的送达时间，例如 2026-12-01 10:30。"),
            "required": _("请填写送达时间。"),
        },
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=300,
        required=False,
        help_text=_("如邮件单号、签收人，留置送达的见证人。"),
        error_messages={"max_length": _("说明不能超过 300 字。")},
    )

    def clean_served_at(self):
        value = self.cleaned_data["served_at"]
        if value > timezone.now():
            raise forms.ValidationError(_("送达时间不能晚于现在。"))
        return value
