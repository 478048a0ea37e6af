"""Forms for the mediation lifecycle; they parse input only, the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.core.models import Case
from cases.core.states import Outcome, outcomes_from
from cases.lifecycle.models import (
    FollowUpVisit,
    MediationSession,
    Satisfaction,
    SessionOutcome,
    TerminationNotice,
)
from cases.lifecycle.services import TermData

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class SessionForm(forms.Form):
    started_at = forms.DateTimeField(
        label=_("调解时间"), widget=DateTimeLocalInput(), input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
    )
    mode = forms.ChoiceField(label=_("方式"), choices=MediationSession.Mode.choices)
    place = forms.CharField(label=_("地点或线上会议"), max_length=200, required=False)
    parties = forms.ModelMultipleChoiceField(
        label=_("参加的当事人"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    other_participants = forms.CharField(
        label=_("其他参加人员"),
        max_length=300,
        required=False,
        help_text=_("如部门工作人员、律师、见证人。"),
    )
    discussion = forms.CharField(label=_("调解经过"), widget=forms.Textarea(attrs={"rows": 5}))
    result = forms.CharField(label=_("调解结果"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    outcome = forms.ChoiceField(
        label=_("本次调解结论"),
        choices=[("", "—")] + list(SessionOutcome.choices),
        required=False,
        help_text=_("未达成一致的调解次数计入风险等级（多次调解不成）。"),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = case.parties.all()
        self.fields["parties"].label_from_instance = lambda p: f"{p.get_role_display()} {p.name}"

    @classmethod
    def initial_from(cls, session: MediationSession) -> dict:
        return {
            "started_at": session.started_at,
            "mode": session.mode,
            "place": session.place,
            "parties": list(session.parties.all()),
            "other_participants": session.other_participants,
            "discussion": session.discussion,
            "result": session.result,
            "outcome": session.outcome,
        }


class AgreementForm(forms.Form):
    facts = forms.CharField(label=_("纠纷的主要事实"), widget=forms.Textarea(attrs={"rows": 4}))
    issues = forms.CharField(label=_("争议事项"), widget=forms.Textarea(attrs={"rows": 3}))
    responsibilities = forms.CharField(label=_("各方当事人的责任"), widget=forms.Textarea(attrs={"rows": 3}))


class TermForm(forms.Form):
    content = forms.CharField(label=_("协议内容"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    performance = forms.CharField(label=_("履行方式"), max_length=200, required=False)
    due_on = forms.DateField(label=_("履行期限"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("content") and not data.get("performance"):
            self.add_error("performance", _("请写明履行方式。"))
        if not data.get("content") and (data.get("performance") or data.get("due_on")):
            self.add_error("content", _("请填写协议内容。"))
        return data


class BaseTermFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not any(form.cleaned_data.get("content") for form in self.forms):
            raise forms.ValidationError(_("调解协议至少要有一项协议内容。"))

    def terms(self) -> list[TermData]:
        return [
            TermData(f.cleaned_data["content"], f.cleaned_data["performance"], f.cleaned_data.get("due_on"))
            for f in self.forms
            if f.cleaned_data.get("content")
        ]


TermFormSet = forms.formset_factory(TermForm, formset=BaseTermFormSet, extra=3, max_num=30)


class SignForm(forms.Form):
    parties = forms.ModelMultipleChoiceField(
        label=_("已签名的当事人"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    mediator = forms.BooleanField(label=_("调解员已签名"), required=False)
    seal = forms.BooleanField(label=_("已加盖调委会印章"), required=False)

    def __init__(self, *args, case: Case, signed_party_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = case.parties.exclude(pk__in=list(signed_party_ids))
        self.fields["parties"].label_from_instance = lambda p: f"{p.get_role_display()} {p.name}"

    def clean(self):
        data = super().clean()
        if not (data.get("parties") or data.get("mediator") or data.get("seal")):
            raise forms.ValidationError(_("请至少勾选一项签名或盖章。"))
        return data


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("终结情形"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("调解不成、拒绝调解、撤回、转诉讼或仲裁、不予受理时必填。"),
    )
    routes = forms.MultipleChoiceField(
        label=_("告知当事人的其他途径"),
        choices=TerminationNotice.Route.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    oral_content = forms.CharField(
        label=_("口头协议内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = outcomes_from(case.status)
        self.fields["outcome"].choices = [(o, Outcome(o).label) for o in allowed]

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == Outcome.ORAL_AGREEMENT:
            if not data.get("oral_content", "").strip():
                self.add_error("oral_content", _("请记录口头协议的内容。"))
        elif outcome and outcome != Outcome.WRITTEN_AGREEMENT:
            if not data.get("reason", "").strip():
                self.add_error("reason", _("请说明理由。"))
            if outcome == Outcome.FAILED and not data.get("routes"):
                self.add_error("routes", _("调解不成的，须告知当事人可以通过哪些途径维护权利。"))
        return data


class EvaluationForm(forms.Form):
    outcome_correct = forms.BooleanField(label=_("处理结果正确"), required=False)
    documents_complete = forms.BooleanField(label=_("文书材料齐全"), required=False)
    on_time = forms.BooleanField(label=_("按期办结"), required=False)
    comment = forms.CharField(label=_("评估意见"), widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    summary = forms.CharField(label=_("结案小结"), widget=forms.Textarea(attrs={"rows": 4}))
    money_covered = forms.DecimalField(
        label=_("协议涉及金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    prevented_criminal = forms.BooleanField(label=_("防止民转刑"), required=False)
    prevented_group_petition = forms.BooleanField(label=_("防止群体访"), required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新启动的理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("评估人"), queryset=None)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = (
            User.objects.filter(kind=User.Kind.STAFF, is_active=True, memberships__center=case.center)
            .distinct()
            .order_by("display_name", "username")
        )


class FollowUpForm(forms.Form):
    method = forms.ChoiceField(label=_("回访方式"), choices=FollowUpVisit.Method.choices)
    party = forms.ModelChoiceField(label=_("回访对象"), queryset=None, required=False)
    performance = forms.ChoiceField(label=_("协议履行情况"), choices=FollowUpVisit.Performance.choices)
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"), choices=Satisfaction.choices, coerce=int, widget=forms.RadioSelect
    )
    notes = forms.CharField(label=_("回访情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reopen = forms.BooleanField(label=_("协议未履行，重新启动调解"), required=False)
    reopen_reason = forms.CharField(
        label=_("重新启动的理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = case.parties.all()
        self.fields["party"].label_from_instance = lambda p: f"{p.get_role_display()} {p.name}"

    def clean(self):
        data = super().clean()
        if data.get("reopen"):
            if data.get("performance") != FollowUpVisit.Performance.BROKEN:
                self.add_error("reopen", _("只有发现协议未履行时才能重新启动调解。"))
            if not data.get("reopen_reason", "").strip():
                self.add_error("reopen_reason", _("请说明重新启动的理由。"))
        return data
