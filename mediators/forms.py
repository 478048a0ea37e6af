from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Center
from cases.core.models import DisputeType

from .models import MediationGroup, MediatorProfile


class LibraryFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类别"),
        required=False,
        choices=[("", _("全部"))] + MediatorProfile.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    specialty = forms.ModelChoiceField(
        label=_("擅长纠纷类型"),
        required=False,
        queryset=DisputeType.objects.filter(active=True),
        empty_label=_("全部"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class DirectoryFilterForm(forms.Form):
    specialty = forms.ModelChoiceField(
        label=_("擅长纠纷类型"),
        required=False,
        queryset=DisputeType.objects.filter(active=True),
        empty_label=_("全部"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    level = forms.TypedChoiceField(
        label=_("层级"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("全部"))] + Center.Level.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class GroupAssignForm(forms.Form):
    group = forms.ModelChoiceField(
        label=_("工作室/团队"), queryset=MediationGroup.objects.filter(active=True)
    )
    lead = forms.IntegerField(label=_("主办人"), help_text=_("从工作室/团队成员中选择主办人。"))
    reason = forms.CharField(label=_("理由"), max_length=200)


class DecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("答复"), coerce=lambda v: v == "1", choices=[("1", _("同意")), ("0", _("不同意"))]
    )
    reason = forms.CharField(label=_("答复理由"), max_length=300, help_text=_("当事人可以看到答复理由。"))


class RequestForm(forms.Form):
    target = forms.CharField(label=_("调解员或工作室"), help_text=_("从公开名录中选择。"))
    reason = forms.CharField(label=_("申请理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, profiles=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.profiles = {f"p{p.pk}": p for p in profiles}
        self.groups = {f"g{g.pk}": g for g in groups}

    def clean_target(self):
        value = self.cleaned_data["target"]
        if value not in self.profiles and value not in self.groups:
            raise forms.ValidationError(_("请从公开名录中选择调解员或工作室。"))
        return value

    def chosen(self):
        value = self.cleaned_data["target"]
        return self.profiles.get(value), self.groups.get(value)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("起始日期"), required=False)
    end = forms.DateField(label=_("截止日期"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data
