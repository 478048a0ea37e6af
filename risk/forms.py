from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("承办人"), queryset=User.objects.filter(kind=User.Kind.STAFF, is_active=True)
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["assignee"].queryset = staff


class ConferenceForm(forms.Form):
    case = forms.ModelChoiceField(
        label=_("依托案件"), queryset=None, help_text=_("会商记录同时记入该案件的会商研判。")
    )
    held_at = forms.DateTimeField(
        label=_("会商时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    participants = forms.CharField(
        label=_("参会人员与部门"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    decisions = forms.CharField(
        label=_("研判意见与决定"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    task_title = forms.CharField(label=_("后续任务"), max_length=200, required=False)
    task_owner = forms.ModelChoiceField(label=_("责任人"), queryset=None, required=False)
    task_due = forms.DateTimeField(
        label=_("完成期限"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, cases=None, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        self.fields["task_owner"].queryset = staff

    def clean(self):
        data = super().clean()
        given = [bool(data.get(k)) for k in ("task_title", "task_owner", "task_due")]
        if any(given) and not all(given):
            raise forms.ValidationError(_("后续任务须同时填写任务、责任人和完成期限。"))
        return data


class TaskForm(forms.Form):
    title = forms.CharField(label=_("后续任务"), max_length=200)
    owner = forms.ModelChoiceField(label=_("责任人"), queryset=None)
    due_at = forms.DateTimeField(
        label=_("完成期限"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff


class TaskDoneForm(forms.Form):
    result = forms.CharField(label=_("完成情况"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class CloseForm(forms.Form):
    conclusion = forms.CharField(
        label=_("研判结论"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
