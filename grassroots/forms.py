"""The phone form (one short form for a quick record, a dispute reported up or a latent risk), closing a risk,
scheduling and reporting a screening round, and the figures' filter."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Center, Department
from cases.core.identity import IdentityError, normalize_phone, parse_resident_id
from cases.core.models import DisputeType, Party
from cases.intake.services import CaseData, PartyData

from .models import ReferenceList, RiskLevel, ScreeningRound
from .services import RiskData


class EntryForm(forms.Form):
    """随手录 / 实时报立: what, who, where and (for a quick record) what was agreed."""

    WHAT_CHOICES = [
        ("quick_record", _("随手录（已当场化解）")),
        ("report", _("上报纠纷（无法当场化解）")),
        ("risk", _("上报隐患（尚未形成纠纷）")),
    ]

    what = forms.ChoiceField(
        label=_("类别"), choices=WHAT_CHOICES, widget=forms.RadioSelect, initial="quick_record"
    )
    dispute_type = forms.ModelChoiceField(
        label=_("纠纷类型"), queryset=DisputeType.objects.filter(active=True), required=False
    )
    summary = forms.CharField(
        label=_("情况简述"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("一两句话写明发生了什么。"),
    )
    place = forms.CharField(label=_("地点"), max_length=200)
    party1_name = forms.CharField(label=_("当事人一 姓名"), max_length=100, required=False)
    party1_phone = forms.CharField(label=_("当事人一 电话"), max_length=24, required=False)
    party1_id = forms.CharField(label=_("当事人一 身份证号（可不填）"), max_length=18, required=False)
    party2_name = forms.CharField(label=_("当事人二 姓名"), max_length=100, required=False)
    party2_phone = forms.CharField(label=_("当事人二 电话"), max_length=24, required=False)
    party2_id = forms.CharField(label=_("当事人二 身份证号（可不填）"), max_length=18, required=False)
    agreement = forms.CharField(
        label=_("当场达成的协议"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("随手录必填：口头协议的内容，如“赵六当天疏通水沟”。"),
    )
    to_center = forms.ModelChoiceField(
        label=_("上报到"),
        queryset=Center.objects.none(),
        required=False,
        help_text=_("上报纠纷：本村或镇（街道）受理窗口。"),
    )
    level = forms.TypedChoiceField(
        label=_("隐患等级"), choices=RiskLevel.choices, coerce=int, required=False, initial=RiskLevel.BLUE
    )
    people_count = forms.IntegerField(
        label=_("涉及人数"), min_value=1, max_value=100000, required=False, initial=1
    )
    client_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, center: Center | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "what":
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)
        for name in ("party1_phone", "party2_phone"):
            self.fields[name].widget.attrs.update(inputmode="tel", autocomplete="off")
        if center is not None:
            ids = [center.pk] + ([center.parent_id] if center.parent_id else [])
            self.fields["to_center"].queryset = Center.objects.filter(pk__in=ids).order_by("-level")
            self.fields["to_center"].initial = center.pk

    def _party(self, n: int) -> PartyData | None:
        c = self.cleaned_data
        name = (c.get(f"party{n}_name") or "").strip()
        phone = (c.get(f"party{n}_phone") or "").strip()
        number = (c.get(f"party{n}_id") or "").strip()
        if not (name or phone or number):
            return None
        if not name:
            self.add_error(f"party{n}_name", _("请填写当事人姓名。"))
            return None
        party = PartyData(role=Party.Role.APPLICANT if n == 1 else Party.Role.RESPONDENT, name=name)
        if phone:
            try:
                party.phone = normalize_phone(phone)
            except IdentityError as exc:
                self.add_error(f"party{n}_phone", str(exc))
        if number:
            try:
                parsed = parse_resident_id(number)
            except IdentityError as exc:
                self.add_error(f"party{n}_id", str(exc))
            else:
                party.id_type = Party.IdType.RESIDENT_ID
                party.id_number, party.id_legacy = parsed.number, parsed.legacy
                party.sex, party.birth_date = parsed.sex, parsed.birth_date
        return party

    def clean(self):
        cleaned = super().clean()
        what = cleaned.get("what")
        parties = [p for p in (self._party(1), self._party(2)) if p is not None]
        cleaned["parties"] = parties
        if what in ("quick_record", "report"):
            if not cleaned.get("dispute_type"):
                self.add_error("dispute_type", _("请选择纠纷类型。"))
            if not parties and not self.has_error("party1_name"):
                self.add_error("party1_name", _("请至少填写一名当事人。"))
        if what == "quick_record" and not (cleaned.get("agreement") or "").strip():
            self.add_error("agreement", _("随手录须填写当场达成的协议内容。"))
        if what == "risk" and not cleaned.get("level"):
            self.add_error("level", _("请选择隐患等级。"))
        return cleaned

    def case_data(self) -> CaseData:
        c = self.cleaned_data
        return CaseData(
            dispute_type=c["dispute_type"],
            summary=c["summary"].strip(),
            place=c["place"].strip(),
            parties=c["parties"],
            people_count=max(len(c["parties"]), c.get("people_count") or 1),
        )

    def risk_data(self) -> RiskData:
        c = self.cleaned_data
        return RiskData(
            summary=c["summary"], place=c["place"], level=c["level"], people_count=c.get("people_count") or 1
        )


class CloseRiskForm(forms.Form):
    conclusion = forms.CharField(
        label=_("销号结论"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明隐患如何消除。"),
    )


class RiskLevelForm(forms.Form):
    level = forms.TypedChoiceField(label=_("隐患等级"), choices=RiskLevel.choices, coerce=int)
    reason = forms.CharField(label=_("调整理由"), max_length=500, help_text=_("如“包工头已失联，工人聚集”。"))


class RoundForm(forms.Form):
    title = forms.CharField(label=_("排查名称"), max_length=100, help_text=_("如“春节前欠薪专项排查”。"))
    kind = forms.ChoiceField(label=_("类别"), choices=ScreeningRound.Kind.choices)
    due_on = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}))
    reference_list = forms.ModelChoiceField(
        label=_("参考清单"),
        queryset=ReferenceList.objects.all(),
        required=False,
        help_text=_("不填排查清单时使用所选参考清单。"),
    )
    checklist = forms.CharField(
        label=_("排查清单"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项。"),
    )
    assignees = forms.ModelMultipleChoiceField(
        label=_("排查单位"),
        queryset=Center.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("排查部门"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, center: Center, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignees"].queryset = center.subtree().exclude(pk=center.pk).order_by("path")
        self.fields["departments"].queryset = Department.objects.filter(center=center).order_by("name")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("assignees") and not cleaned.get("departments"):
            raise ValidationError(_("请至少选择一个排查单位或部门。"))
        return cleaned

    def clean_due_on(self):
        value = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise ValidationError(_("完成期限不能早于今天。"))
        return value


class ScreeningReportForm(forms.Form):
    findings = forms.CharField(
        label=_("发现的问题"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项；未发现问题请留空。发现的问题请另用随手录或上报登记。"),
    )
    note = forms.CharField(
        label=_("排查情况"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def finding_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["findings"].splitlines() if line.strip()]


class PeriodForm(forms.Form):
    """The period and the subtree of the figures; bad dates answer 400 with a message."""

    start = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    center = forms.ModelChoiceField(label=_("中心"), queryset=Center.objects.none(), required=False)

    def __init__(self, *args, centers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = centers
        today = timezone.localdate()
        self.fields["start"].initial = date(today.year, 1, 1)
        self.fields["end"].initial = today
        self.fields["center"].initial = centers.first()
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    def clean_defaults(self) -> dict:
        """The figures' default period: this year so far, the first supervised center."""
        today = timezone.localdate()
        return {"start": date(today.year, 1, 1), "end": today, "center": None}

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        cleaned["start"] = cleaned.get("start") or date(today.year, 1, 1)
        cleaned["end"] = cleaned.get("end") or today
        if cleaned["start"] > cleaned["end"]:
            raise ValidationError(_("起始日期不能晚于截止日期。"))
        return cleaned
