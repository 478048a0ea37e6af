"""The counter intake form: the case, any number of parties (a formset) and evidence files."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.core.attachments import allowed_extensions, validate_upload
from cases.core.identity import IdentityError, normalize_credit_code, normalize_phone, parse_resident_id
from cases.core.models import DisputeType, Party, Source
from cases.intake.services import CaseData, PartyData


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files in one input; each is checked against the settings' limits."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(allowed_extensions())}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        errors = []
        for f in files:
            try:
                validate_upload(f)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return list(files)


class CaseIntakeForm(forms.Form):
    dispute_type = forms.ModelChoiceField(
        label=_("纠纷类型"), queryset=DisputeType.objects.filter(active=True), empty_label=_("请选择")
    )
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices, initial=Source.COUNTER)
    summary = forms.CharField(label=_("纠纷概况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    claims = forms.CharField(
        label=_("当事人诉求"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    amount = forms.DecimalField(
        label=_("涉及金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    people_count = forms.IntegerField(label=_("涉及人数"), min_value=1, max_value=100000, initial=1)
    place = forms.CharField(label=_("纠纷发生地"), required=False, max_length=200)
    is_group = forms.BooleanField(
        label=_("集体访"),
        required=False,
        help_text=_("集体访最多登记 %(limit)d 名代表，请在当事人中勾选“集体访代表”。")
        % {"limit": settings.INTAKE_MAX_GROUP_REPRESENTATIVES},
    )
    risk_violence = forms.BooleanField(label=_("有极端行为或暴力风险"), required=False)
    risk_mass_incident = forms.BooleanField(label=_("可能引发群体性事件"), required=False)
    risk_upward_petition = forms.BooleanField(label=_("可能越级上访"), required=False)
    police_calls = forms.IntegerField(label=_("已报警次数"), min_value=0, max_value=1000, initial=0)
    evidence = MultipleFileField(
        label=_("证据材料"),
        required=False,
        help_text=_("可多选。单个文件不超过 %(limit)d MB。")
        % {"limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
    )
    link_action = forms.ChoiceField(
        label=_("与已有案件的关系"),
        required=False,
        choices=[("", _("新案件")), ("repeat", _("重复来访")), ("merge", _("并单"))],
    )
    # A case id: bounded so a tampered value is a field error, not an integer overflow in the database.
    link_case = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("link_action")
        if action and "link_case" in self.errors:  # a hidden field: its message goes next to the choice
            self.add_error("link_action", _("所选关联案件编号无效，请在下方“可能相关的案件”中重新选择。"))
        elif action and not cleaned.get("link_case"):
            self.add_error("link_action", _("请在下方“可能相关的案件”中选择一个案件。"))
        return cleaned


class PartyForm(forms.Form):
    role = forms.ChoiceField(label=_("身份"), choices=Party.Role.choices)
    kind = forms.ChoiceField(label=_("类别"), choices=Party.Kind.choices, initial=Party.Kind.PERSON)
    name = forms.CharField(label=_("姓名/名称"), max_length=100)
    id_type = forms.ChoiceField(
        label=_("证件类型"), choices=Party.IdType.choices, required=False, initial=Party.IdType.RESIDENT_ID
    )
    id_number = forms.CharField(label=_("证件号码"), max_length=32, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=24, required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    area_code = forms.RegexField(
        label=_("行政区划代码"),
        regex=r"^\d{6}(\d{3}(\d{3})?)?$",
        required=False,
        error_messages={"invalid": _("行政区划代码应为 6、9 或 12 位数字。")},
    )
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    legal_representative = forms.CharField(label=_("法定代表人/负责人"), max_length=60, required=False)
    is_representative = forms.BooleanField(label=_("集体访代表"), required=False)

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if not value:
            return ""
        try:
            return normalize_phone(value)
        except IdentityError as exc:
            raise ValidationError(str(exc)) from exc

    def clean_credit_code(self):
        value = self.cleaned_data["credit_code"].strip()
        if not value:
            return ""
        try:
            return normalize_credit_code(value)
        except IdentityError as exc:
            raise ValidationError(str(exc)) from exc

    def clean(self):
        cleaned = super().clean()
        id_type = cleaned.get("id_type") or ""
        number = (cleaned.get("id_number") or "").strip()
        kind = cleaned.get("kind")
        cleaned.update(id_legacy=False, sex="", birth_date=None)
        if number and not id_type:
            self.add_error("id_type", _("填写了证件号码，请选择证件类型。"))
        if id_type == Party.IdType.RESIDENT_ID and number:
            try:
                parsed = parse_resident_id(number)
            except IdentityError as exc:
                self.add_error("id_number", str(exc))
            else:
                # Sex and birth date come from the ID, never typed twice.
                cleaned.update(
                    id_number=parsed.number,
                    id_legacy=parsed.legacy,
                    sex=parsed.sex,
                    birth_date=parsed.birth_date,
                )
        elif number:
            cleaned["id_number"] = number.upper()
        if kind in (Party.Kind.LEGAL, Party.Kind.ORGANISATION) and id_type == Party.IdType.RESIDENT_ID:
            cleaned["id_type"] = ""
            if number:
                self.add_error("id_number", _("单位请填写统一社会信用代码，不填身份证号。"))
        if kind == Party.Kind.PERSON and cleaned.get("credit_code"):
            self.add_error("credit_code", _("自然人不填统一社会信用代码。"))
        return cleaned

    def to_party_data(self) -> PartyData:
        c = self.cleaned_data
        return PartyData(
            role=c["role"],
            kind=c["kind"],
            name=c["name"].strip(),
            id_type=c.get("id_type") or "" if c.get("id_number") else "",
            id_number=c.get("id_number") or "",
            id_legacy=c.get("id_legacy", False),
            sex=c.get("sex", ""),
            birth_date=c.get("birth_date"),
            phone=c.get("phone", ""),
            address=c.get("address", ""),
            area_code=c.get("area_code", ""),
            credit_code=c.get("credit_code", ""),
            legal_representative=c.get("legal_representative", ""),
            is_representative=c.get("is_representative", False),
        )


class BasePartyFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": _("一个案件最多登记 %(num)d 名当事人，请删除多余的当事人后再保存。"),
        "too_few_forms": _("至少登记一名当事人。"),
        "missing_management_form": _("当事人表格数据缺失或被篡改，请刷新页面后重新填写。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # CASE_MAX_PARTIES is read per form (not when the class is built), so the form and register_case
        # always agree. Up to twice the limit, rows typed past it come back as typed, with the message;
        # a tampered TOTAL_FORMS never builds more forms than that.
        self.max_num = settings.CASE_MAX_PARTIES
        self.absolute_max = 2 * settings.CASE_MAX_PARTIES
        self.validate_max = True

    def full_clean(self):
        super().full_clean()
        if self.is_bound and not self.management_form.is_valid():
            # Django replaces this message with "too few forms" when it raises that one; the cause comes first.
            self._non_form_errors = self.error_class(
                [self.error_messages["missing_management_form"]],
                error_class="nonform",
                renderer=self.renderer,
            )

    def clean(self):
        if any(self.errors):
            return
        forms_ = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        roles = [f.cleaned_data["role"] for f in forms_]
        if Party.Role.APPLICANT not in roles:
            raise ValidationError(_("至少登记一名申请人。"))
        representatives = sum(1 for f in forms_ if f.cleaned_data.get("is_representative"))
        limit = settings.INTAKE_MAX_GROUP_REPRESENTATIVES
        if representatives > limit:
            raise ValidationError(
                _("集体访最多推选 %(limit)d 名代表，当前勾选了 %(n)d 名。")
                % {"limit": limit, "n": representatives}
            )

    def party_data(self) -> list[PartyData]:
        return [f.to_party_data() for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


PartyFormSet = forms.formset_factory(
    PartyForm, formset=BasePartyFormSet, extra=0, min_num=1, validate_min=True, can_delete=True
)


def new_party_formset(data=None, prefix="parties") -> BasePartyFormSet:
    initial = [{"role": Party.Role.APPLICANT}, {"role": Party.Role.RESPONDENT}]
    return PartyFormSet(data, prefix=prefix, initial=None if data is not None else initial)


def case_data_from(form: CaseIntakeForm, parties: BasePartyFormSet) -> CaseData:
    c = form.cleaned_data
    party_data = parties.party_data()
    return CaseData(
        dispute_type=c["dispute_type"],
        summary=c["summary"].strip(),
        parties=party_data,
        source=c["source"],
        claims=c.get("claims", "").strip(),
        amount=c.get("amount"),
        people_count=c["people_count"],
        place=c.get("place", ""),
        is_group=c.get("is_group", False) or any(p.is_representative for p in party_data),
        risk_violence=c.get("risk_violence", False),
        risk_mass_incident=c.get("risk_mass_incident", False),
        risk_upward_petition=c.get("risk_upward_petition", False),
        police_calls=c.get("police_calls") or 0,
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("不予受理理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class AttachmentUploadForm(forms.Form):
    files = MultipleFileField(label=_("证据材料"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:
            raise ValidationError(_("请选择要上传的文件。"))
        return files
