"""Forms of the core case pages: revealing a party's full phone or ID number, and filtering the reveals."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.core.services import RevealField, RevealReason


class RevealForm(forms.Form):
    """Which of the party's numbers to show in full, and why (a reason from the list, or typed)."""

    field = forms.ChoiceField(label=_("查看内容"), choices=RevealField.choices)
    reason = forms.ChoiceField(
        label=_("查看理由"), choices=RevealReason.choices, initial=RevealReason.CALL, widget=forms.RadioSelect
    )
    other = forms.CharField(label=_("其他理由"), max_length=200, required=False)

    def __init__(self, *args, party_pk: int | None = None, **kwargs):
        # One form per party on the case page: the ids stay unique, so every label binds to its own input.
        super().__init__(*args, auto_id=f"id_reveal_{party_pk}_%s" if party_pk else "id_%s", **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("reason") == RevealReason.OTHER and not (data.get("other") or "").strip():
            self.add_error("other", _("请填写查看的理由。"))
        return data

    def reason_text(self) -> str:
        data = self.cleaned_data
        if data["reason"] == RevealReason.OTHER:
            return data["other"].strip()
        return str(RevealReason(data["reason"]).label)


class RevealFilterForm(forms.Form):
    """The filters of the reveals list; every field optional, a bad date is an error next to its field."""

    case_number = forms.CharField(label=_("案件编号"), max_length=40, required=False)
    actor = forms.CharField(label=_("查看人"), max_length=150, required=False)
    field = forms.ChoiceField(
        label=_("查看内容"), choices=[("", _("全部"))] + RevealField.choices, required=False
    )
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("截止日期不能早于起始日期。"))
        return data
