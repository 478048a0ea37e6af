"""Forms for warnings: supervision orders, conferences, manual raises, clocks, the dashboard period."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User
from cases.core.models import WarningLevel
from cases.core.workcalendar import local_date
from routing.models import Channel


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class SupervisionOrderForm(forms.Form):
    recipient = forms.ModelChoiceField(queryset=User.objects.none(), label=_("承办人"), required=False)
    channel = forms.ModelChoiceField(queryset=Channel.objects.all(), label=_("承办渠道"), required=False)
    instructions = forms.CharField(
        label=_("督办要求"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    deadline = forms.DateTimeField(
        label=_("办理期限"), widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["recipient"].queryset = User.objects.filter(
                memberships__center=case.center_id, memberships__role=Membership.Role.MEDIATOR
            ).distinct()
            if not self.is_bound:
                self.initial.setdefault("channel", case.channel_id)
                self.initial.setdefault(
                    "deadline",
                    timezone.localtime(timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
                )

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("办理期限必须晚于现在。"))
        return deadline

    def clean(self):
        data = super().clean()
        if not data.get("recipient") and not data.get("channel"):
            self.add_error("recipient", _("请指定承办人或承办渠道。"))
        return data


class ConferenceForm(forms.Form):
    held_at = forms.DateTimeField(
        label=_("会商时间"), widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    participants = forms.CharField(
        label=_("参会人员与部门"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    decisions = forms.CharField(
        label=_("研判意见与决定"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class RaiseLevelForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("调高到"),
        coerce=int,
        choices=[(int(v), label) for v, label in WarningLevel.choices if v >= WarningLevel.YELLOW],
    )
    reason = forms.CharField(label=_("理由"), max_length=300)


class PauseForm(forms.Form):
    reason = forms.CharField(label=_("中止原因（如鉴定、听证）"), max_length=200)


class ExtendForm(forms.Form):
    length = forms.IntegerField(label=_("延长长度"), min_value=1)
    reason = forms.CharField(label=_("延长理由（将告知当事人）"), max_length=300)


class ReportForm(forms.Form):
    report = forms.CharField(label=_("办理反馈"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    end = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("截止日期不能早于起始日期。"))
        if end and end > local_date(timezone.now()) + dt.timedelta(days=366):
            self.add_error("end", _("截止日期过远。"))
        return data
