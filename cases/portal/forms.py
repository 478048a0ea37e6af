"""Forms of the citizen portal; Chinese labels and errors shown next to each field."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Center
from cases.core.identity import IdentityError, normalize_phone, parse_resident_id
from cases.core.models import DisputeType, Party
from cases.intake.rules import TooManyParties, check_party_count
from cases.portal import preference
from cases.portal.models import HomeVisitRequest, Rating
from mediation_center.errors import DomainError

MOBILE_ATTRS = {"inputmode": "numeric", "autocomplete": "tel", "maxlength": "11", "pattern": "1[3-9][0-9]{9}"}


def _check_upload(upload):
    name = upload.name.lower()
    allowed = [ext.lower() for ext in settings.ATTACHMENT_ALLOWED_TYPES]
    if not any(name.endswith(ext) for ext in allowed):
        raise forms.ValidationError(
            _("不支持的文件类型：%(name)s。允许：%(types)s")
            % {"name": upload.name, "types": " ".join(allowed)}
        )
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise forms.ValidationError(
            _("文件 %(name)s 超过 %(mb)d MB。")
            % {"name": upload.name, "mb": settings.ATTACHMENT_MAX_BYTES // 2**20}
        )
    return upload


class StatusLookupForm(forms.Form):
    code = forms.CharField(
        label=_("查询码或案号"),
        max_length=60,
        help_text=_("查询码见受理回执，共 12 位字母数字。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone_last4 = forms.CharField(
        label=_("手机号后四位"),
        min_length=4,
        max_length=4,
        help_text=_("任一当事人登记的手机号后四位。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}),
    )

    @staticmethod
    def accepted_as_sent(data) -> dict | None:
        """``cleaned_data`` for a post the form accepts (each field's ``CharField.clean``: stripped, required,
        its lengths, no NUL character), without cleaning the form; None for any other post, which the form
        itself must judge (``tests/portal/test_status_lookup.py`` compares the two)."""
        code, digits = data.get("code"), data.get("phone_last4")
        if type(code) is not str or type(digits) is not str:
            return None
        code, digits = code.strip(), digits.strip()
        if not 0 < len(code) <= 60 or len(digits) != 4 or "\x00" in code or "\x00" in digits:
            return None
        return {"code": code, "phone_last4": digits}


class PhoneForm(forms.Form):
    phone = forms.RegexField(
        label=_("手机号"),
        regex=r"^1[3-9]\d{9}$",
        error_messages={"invalid": _("请输入 11 位手机号。")},
        widget=forms.TextInput(attrs=MOBILE_ATTRS),
    )


class CodeForm(PhoneForm):
    code = forms.RegexField(
        label=_("验证码"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("验证码为 6 位数字。")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6"}
        ),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        files = data if isinstance(data, list | tuple) else [data]
        if len(files) > 10:
            raise forms.ValidationError(_("一次最多上传 10 个文件。"))
        return [_check_upload(super(MultipleFileField, self).clean(f, initial)) for f in files]


class OnlineApplicationForm(forms.Form):
    PARTIES = 2  # the applicant and one respondent: the case's party limit is checked before anything is kept
    center = forms.ModelChoiceField(
        label=_("申请调解的中心"), queryset=Center.objects.order_by("path"), empty_label=_("请选择")
    )
    dispute_type = forms.ModelChoiceField(
        label=_("纠纷类型"), queryset=DisputeType.objects.filter(active=True), empty_label=_("请选择")
    )
    applicant_name = forms.CharField(label=_("您的姓名"), max_length=60)
    applicant_id_number = forms.CharField(label=_("您的身份证号"), max_length=18, required=False)
    applicant_address = forms.CharField(label=_("您的住址"), max_length=200, required=False)
    respondent_kind = forms.ChoiceField(
        label=_("对方类别"), choices=Party.Kind.choices, initial=Party.Kind.PERSON
    )
    respondent_name = forms.CharField(label=_("对方姓名或单位名称"), max_length=100)
    respondent_phone = forms.CharField(label=_("对方联系电话"), max_length=24, required=False)
    respondent_address = forms.CharField(label=_("对方住址或单位地址"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("发生了什么"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_("时间、地点、经过，以及已经采取的办法。"),
    )
    claims = forms.CharField(label=_("您的请求"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    place = forms.CharField(label=_("纠纷发生地"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("涉及金额（元）"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    files = MultipleFileField(label=_("证据材料（可多选）"), required=False)
    preferred = forms.CharField(
        label=_("希望由谁调解（可选）"),
        max_length=12,
        required=False,
        help_text=_("可从所选中心及上级中心公开的调解员、调解工作室中选择；中心会答复是否同意，并告诉您理由。"),
    )
    preferred_reason = forms.CharField(
        label=_("选择的理由"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    privacy_consent = forms.BooleanField(
        label=_("我已阅读并同意上述《个人信息处理告知》"),
        error_messages={"required": _("请阅读个人信息处理告知并勾选同意后再继续；不同意可到中心窗口登记。")},
    )

    MAX_FILES = 10

    def __init__(self, *args, kept_files: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept_files = kept_files  # files already kept with the draft from an earlier step
        consent = preference.service_consent()
        if consent is not None:  # 电子送达: optional, with the statement the consent records
            self.fields["service_consent"] = forms.BooleanField(
                label=_("我同意电子送达（可选）"), required=False, help_text=consent.statement()
            )
        self.fields["files"].help_text = _(
            "每个文件不超过 %(mb)d MB，合计最多 %(max)d 个；提交前可预览，返回修改时已上传的文件会保留。"
        ) % {"mb": settings.ATTACHMENT_MAX_BYTES // 2**20, "max": self.MAX_FILES}

    def clean_files(self):
        files = self.cleaned_data["files"]
        if self.kept_files + len(files) > self.MAX_FILES:
            raise forms.ValidationError(
                _("证据材料合计最多 %(max)d 个，已保留 %(kept)d 个，本次又选了 %(new)d 个。")
                % {"max": self.MAX_FILES, "kept": self.kept_files, "new": len(files)}
            )
        return files

    def clean_applicant_id_number(self):
        value = self.cleaned_data["applicant_id_number"].strip()
        if not value:
            return None
        try:
            return parse_resident_id(value)
        except IdentityError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_respondent_phone(self):
        value = self.cleaned_data["respondent_phone"].strip()
        if not value:
            return ""
        try:
            return normalize_phone(value)
        except IdentityError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        cleaned = super().clean()
        try:
            check_party_count(self.PARTIES)
        except TooManyParties as exc:
            raise forms.ValidationError(exc.message) from exc
        self._clean_preference(cleaned)
        return cleaned

    preference_label = ""  # the chosen mediator's or studio's name, for the preview

    def _clean_preference(self, cleaned) -> None:
        value = (cleaned.get("preferred") or "").strip()
        cleaned["preferred"] = value
        cleaned["preferred_reason"] = (cleaned.get("preferred_reason") or "").strip()
        provider = preference.provider()
        if not value:
            if cleaned["preferred_reason"]:
                self.add_error("preferred", _("填写了理由，请同时选择调解员或工作室；不需要指定请清空理由。"))
            return
        if provider is None:
            self.add_error("preferred", _("本中心暂不提供指定调解员。"))
            return
        if not cleaned["preferred_reason"]:
            self.add_error("preferred_reason", _("选择了调解员或工作室，请写一句理由，中心答复时会参考。"))
        center = cleaned.get("center")
        if center is None:
            return  # the center's own error is shown
        try:
            self.preference_label = provider.describe(value, center)
        except DomainError as exc:
            self.add_error("preferred", exc.message)


class QuestionForm(forms.Form):
    center = forms.ModelChoiceField(
        label=_("咨询的中心"), queryset=Center.objects.order_by("path"), empty_label=_("请选择")
    )
    dispute_type = forms.ModelChoiceField(
        label=_("纠纷类型"),
        queryset=DisputeType.objects.filter(active=True),
        required=False,
        empty_label=_("不确定"),
    )
    question = forms.CharField(label=_("您的问题"), widget=forms.Textarea(attrs={"rows": 5}), max_length=2000)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("留言"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False
    )
    file = forms.FileField(label=_("附件"), required=False)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        return _check_upload(upload) if upload else None

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("file") and not self.errors:
            raise forms.ValidationError(_("请填写留言内容或选择文件。"))
        return data


class SlotSearchForm(forms.Form):
    center = forms.ModelChoiceField(label=_("中心"), queryset=Center.objects.order_by("path"))
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_date(self):
        day = self.cleaned_data["date"]
        today = timezone.localdate()
        if day < today or (day - today).days > settings.PORTAL_APPOINTMENT_DAYS_AHEAD:
            raise forms.ValidationError(
                _("只能预约今天起 %(days)d 天内的时段。") % {"days": settings.PORTAL_APPOINTMENT_DAYS_AHEAD}
            )
        return day


class BookingForm(forms.Form):
    slot = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("姓名"), max_length=60)
    purpose = forms.CharField(label=_("来访事由"), max_length=200)


class HomeVisitForm(forms.ModelForm):
    class Meta:
        model = HomeVisitRequest
        fields = ["center", "name", "address", "preferred_date", "reason"]
        widgets = {
            "preferred_date": forms.DateInput(attrs={"type": "date"}),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_preferred_date(self):
        day = self.cleaned_data["preferred_date"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("日期不能早于今天。"))
        return day


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("您对本次服务的评价"), choices=Rating.Score.choices, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("意见和建议"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class FollowUpForm(forms.Form):
    note = forms.CharField(label=_("跟进情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class IdentityCheckForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("我已当面查验该当事人的身份证件原件，证件号码与登记一致"),
        error_messages={"required": _("请先当面查验身份证件原件并勾选确认。")},
    )
