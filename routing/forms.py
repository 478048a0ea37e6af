from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Center, Department, User
from cases.core.models import DisputeType, WarningLevel
from cases.core.states import Status
from cases.core.workcalendar import reference_data

from .models import Channel
from .services import ANY_LEAD

REASON_WIDGET = forms.Textarea(attrs={"rows": 2})


class RouteForm(forms.Form):
    """Accept the suggestion as it is, or change any part of it and say why."""

    channel = forms.ModelChoiceField(Channel.objects.all(), label=_("调解渠道"))
    center = forms.ModelChoiceField(Center.objects.none(), label=_("承办中心"))
    departments = forms.ModelMultipleChoiceField(
        Department.objects.none(), label=_("吹哨部门"), required=False, widget=forms.CheckboxSelectMultiple
    )
    priority = forms.IntegerField(label=_("优先级"), min_value=0, max_value=9)
    override_reason = forms.CharField(
        label=_("调整理由"),
        required=False,
        max_length=500,
        widget=REASON_WIDGET,
        help_text=_("与建议方案不同时必填。"),
    )

    def __init__(self, *args, centers, departments, suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestion = suggestion
        self.fields["center"].queryset = Center.objects.filter(pk__in=[c.pk for c in centers])
        self.fields["departments"].queryset = departments

    def is_override(self) -> bool:
        data = self.cleaned_data
        s = self.suggestion
        return (
            data["channel"].pk != s.channel.pk
            or data["center"].pk != s.center.pk
            or {d.pk for d in data["departments"]} != {d.pk for d in s.departments}
            or data["priority"] != s.priority
        )

    def clean(self):
        data = super().clean()
        if not self.errors and self.is_override() and not data.get("override_reason", "").strip():
            self.add_error("override_reason", _("调整建议的分流方案时必须填写理由。"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200, widget=REASON_WIDGET)


class AssignForm(forms.Form):
    mediator = forms.ModelChoiceField(User.objects.none(), label=_("调解员"))
    lead = forms.TypedChoiceField(
        label=_("角色"),
        choices=[("1", _("主办（替换现主办）")), ("0", _("协办"))],
        coerce=lambda v: v == "1",
        initial="1",
    )
    reason = forms.CharField(label=_("理由"), max_length=200, widget=REASON_WIDGET)
    # The lead mediator's id the form was shown with ("none": no lead): assigning over someone who claimed
    # or reassigned the case meanwhile is refused (routing.services.assign_mediator's seen_lead).
    seen_lead = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, mediators, seen_lead: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mediator"].queryset = mediators
        self.fields["seen_lead"].initial = SEEN_NONE if seen_lead is None else str(seen_lead)

    def clean_seen_lead(self):
        return seen_lead_value(self.cleaned_data["seen_lead"], self)


SEEN_NONE = "none"


def seen_lead_value(raw: str, form: forms.Form):
    """The form's seen lead for the service: None (no lead), an id, or ANY_LEAD when the form sent none."""
    raw = (raw or "").strip()
    if not raw:
        return ANY_LEAD
    if raw == SEEN_NONE:
        return None
    if raw.isdigit() and len(raw) < 12:
        return int(raw)
    form.add_error(None, _("页面已过时，请刷新后重新指派。"))
    return ANY_LEAD


class TransferForm(forms.Form):
    to_center = forms.ModelChoiceField(Center.objects.none(), label=_("移交至"))
    reason = forms.CharField(label=_("移交理由"), max_length=200, widget=REASON_WIDGET)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_center"].queryset = Center.objects.filter(pk__in=[c.pk for c in targets])


class SummonForm(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        Department.objects.none(), label=_("部门"), widget=forms.CheckboxSelectMultiple
    )
    deadline = forms.DateTimeField(
        label=_("响应期限"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(label=_("协办事项"), max_length=300, required=False, widget=REASON_WIDGET)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("响应期限必须晚于当前时间。"))
        return deadline


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("拒绝理由"), max_length=300, widget=REASON_WIDGET)


class ActionForm(forms.Form):
    action = forms.CharField(
        label=_("部门办理情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class GrantForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    write = forms.BooleanField(label=_("可办理（否则只读）"), required=False)
    reason = forms.CharField(label=_("理由"), max_length=200, widget=REASON_WIDGET)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, kind=User.Kind.STAFF, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("找不到该工作人员。"))
        return user


class RevokeGrantForm(forms.Form):
    reason = forms.CharField(label=_("撤销理由"), max_length=200, widget=REASON_WIDGET)


class QueueFilterForm(forms.Form):
    tab = forms.ChoiceField(choices=[("mine", _("我的案件")), ("channel", _("渠道待认领"))], required=False)
    status = forms.ChoiceField(
        choices=[("", _("全部状态")), *Status.choices], required=False, label=_("状态")
    )
    warning_level = forms.TypedChoiceField(
        choices=[("", _("全部预警")), *WarningLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
        label=_("预警等级"),
    )
    dispute_type = forms.ChoiceField(choices=[], required=False, label=_("纠纷类型"))
    overdue = forms.BooleanField(required=False, label=_("仅超期"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # From the reference-data cache (a save or delete of a dispute type starts a new version, see
        # ``routing.rules.connect_rule_signals``): every queue page showed them, one query each.
        self.fields["dispute_type"].choices = [
            ("", _("全部类型")),
            *reference_data("queue-dispute-types", _active_dispute_types),
        ]


def _active_dispute_types() -> list[tuple[str, str]]:
    return list(
        DisputeType.objects.filter(active=True).order_by("ordering", "code").values_list("code", "name")
    )


class IdListField(forms.MultipleChoiceField):
    """Checked rows' primary keys: digits only (whether each may be assigned is the service's answer)."""

    def valid_value(self, value) -> bool:
        return str(value).isdigit() and len(str(value)) <= 12

    def clean(self, value):
        return [int(v) for v in super().clean(value)]


class BulkAssignForm(forms.Form):
    """Several cases of the supervisor's queue to one lead mediator, with one reason."""

    cases = IdListField(
        label=_("案件"),
        error_messages={"required": _("请至少勾选一件案件。"), "invalid_choice": _("案件编号无效。")},
    )
    mediator = forms.ModelChoiceField(
        User.objects.none(), label=_("调解员"), error_messages={"required": _("请选择调解员。")}
    )
    reason = forms.CharField(
        label=_("指派理由"), max_length=200, error_messages={"required": _("指派必须填写理由。")}
    )

    MAX_CASES = 50

    def __init__(self, *args, mediators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mediator"].queryset = mediators

    def clean_cases(self):
        cases = list(dict.fromkeys(self.cleaned_data["cases"]))
        if len(cases) > self.MAX_CASES:
            raise forms.ValidationError(_("一次最多指派 %(n)s 件案件。") % {"n": self.MAX_CASES})
        return cases
