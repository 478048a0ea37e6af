from django import forms
from django.utils.translation import gettext_lazy as _


class SignForm(forms.Form):
    code = forms.RegexField(
        label=_("短信验证码"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("请输入短信中的 6 位数字验证码。"), "required": _("请输入短信验证码。")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}
        ),
        help_text=_("验证码发送到您在本案登记的手机号，5 分钟内有效。"),
    )
    read = forms.BooleanField(
        label=_("我已完整阅读调解协议书，同意其全部内容"),
        error_messages={"required": _("请先阅读协议全文并勾选确认。")},
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("核验码"),
        max_length=20,
        help_text=_("签名页上每个电子签名旁的 12 位核验码。"),
        error_messages={"required": _("请输入核验码。")},
    )
    file = forms.FileField(
        label=_("PDF 文件"),
        help_text=_("需要核验的调解协议书 PDF 文件。"),
        error_messages={"required": _("请选择要核验的 PDF 文件。")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("文件不能超过 20 MB。"))
        return upload


class InviteForm(forms.Form):
    parties = forms.TypedMultipleChoiceField(label=_("当事人"), coerce=int, choices=())

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].choices = [(p.pk, p.name) for p in parties]
