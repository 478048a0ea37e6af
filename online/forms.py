from django import forms
from django.utils.translation import gettext_lazy as _

from cases.portal.forms import MessageForm


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


# --- Online sessions -----------------------------------------------------------------------------
class _WindowedDateTimeField(forms.DateTimeField):
    """A date and time within a year of now (the service's rule, told next to the field)."""

    def clean(self, value):
        value = super().clean(value)
        if value is not None:
            from mediation_center.errors import DomainError
            from online.session_services import check_time

            try:
                check_time(value, self.label)
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from exc
        return value


def _datetime_field(label, *, required=True):
    return _WindowedDateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("请填写正确的日期和时间。"), "required": _("请填写时间。")},
    )


class ScheduleSessionForm(forms.Form):
    planned_at = _datetime_field(_("计划时间"))
    video_url = forms.URLField(
        label=_("视频会议链接"),
        max_length=200,
        assume_scheme="https",
        help_text=_("外部视频会议的入会链接（http 或 https），当事人从邀请页面打开。"),
        error_messages={
            "invalid": _("请填写以 http:// 或 https:// 开头的链接。"),
            "required": _("请填写视频会议链接。"),
        },
    )
    parties = forms.TypedMultipleChoiceField(
        label=_("参加的当事人"),
        coerce=int,
        choices=(),
        error_messages={"required": _("请选择参加线上调解的当事人。")},
    )

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].choices = [(p.pk, p.name) for p in parties]

    def clean_video_url(self):
        url = self.cleaned_data["video_url"]
        if not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("请填写以 http:// 或 https:// 开头的链接。"))
        return url


class SessionInviteForm(InviteForm):
    pass


class SessionTimesForm(forms.Form):
    held_from = _datetime_field(_("实际开始时间"))
    held_until = _datetime_field(_("实际结束时间"), required=False)


class CloseSessionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("本次调解结论"),
        required=False,
        choices=(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        from cases.lifecycle.models import SessionOutcome

        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", _("暂不填写")), *SessionOutcome.choices]


class ProposalAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("意见"), choices=(), error_messages={"required": _("请选择同意或不同意。")}
    )

    def __init__(self, *args, **kwargs):
        from online.models import ProposalAnswer

        super().__init__(*args, **kwargs)
        self.fields["answer"].choices = ProposalAnswer.Answer.choices
        self.fields["answer"].error_messages["invalid_choice"] = _("请选择同意或不同意。")


class ConfirmRecordForm(forms.Form):
    record_sha256 = forms.RegexField(
        regex=r"^[0-9a-f]{64}$",
        widget=forms.HiddenInput,
        error_messages={"invalid": _("笔录校验值不正确，请刷新页面。")},
    )
    read = forms.BooleanField(
        label=_("我已阅读并确认"),
        error_messages={"required": _("请先阅读笔录全文并勾选“我已阅读并确认”。")},
    )


class StaffPostForm(MessageForm):
    """The mediator's post: a message (with an optional file) or a proposal (调解方案) for the parties."""

    kind = forms.ChoiceField(label=_("类型"), choices=(), initial="message")

    def __init__(self, *args, **kwargs):
        from online.models import SessionPost

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = SessionPost.Kind.choices
