from django import forms
from django.utils.translation import gettext_lazy as _

from courtlink.models import Handoff
from courtlink.services import LITIGATION_ROUTES


class PrepareForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("移送类型"),
        choices=Handoff.Kind.choices,
        error_messages={"required": _("请选择移送类型。"), "invalid_choice": _("请选择移送类型。")},
    )
    route = forms.ChoiceField(
        label=_("去向"),
        required=False,
        choices=[(r.value, r.label) for r in LITIGATION_ROUTES],
        error_messages={"invalid_choice": _("请选择移送的去向。")},
    )
    court_name = forms.CharField(
        label=_("受理法院"), required=False, max_length=100, help_text=_("如：某某县人民法院。可留空。")
    )


class ProgressForm(forms.Form):
    to = forms.ChoiceField(
        label=_("办理情况"),
        choices=Handoff.Status.choices,
        error_messages={"required": _("请选择办理情况。"), "invalid_choice": _("请选择办理情况。")},
    )
    on = forms.DateField(
        label=_("日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入有效的日期，如 2026-12-01。")},
    )
    court_reference = forms.CharField(label=_("法院案号"), required=False, max_length=60)
    note = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
