from django import forms
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.access import centers_below, roles_of
from cases.core.models import DisputeType
from cases.core.states import Status
from cases.core.workcalendar import reference_data
from routing.models import Channel

QUERY_MAX = 100


def _channel_options() -> list[tuple[str, str]]:
    return list(Channel.objects.order_by("pk").values_list("code", "name"))


def _dispute_type_options() -> list[tuple[str, str]]:
    return list(DisputeType.objects.order_by("ordering", "pk").values_list("code", "name"))


def _options(pairs, chosen) -> SafeString:
    chosen = "" if chosen is None else str(chosen)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, SafeString(" selected") if str(value) == chosen else "", label) for value, label in pairs),
    )


class SearchForm(forms.Form):
    """The search box and its filters; every field optional, each bad value named in Chinese."""

    # Not refused when longer: the words past the first QUERY_MAX characters are not searched (a pasted
    # paragraph still finds by its opening words, as the top bar's box always did).
    q = forms.CharField(label=_("关键词"), required=False, strip=True)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Status.choices]
    )
    channel = forms.ModelChoiceField(
        label=_("渠道"),
        required=False,
        queryset=Channel.objects.order_by("pk"),
        empty_label=_("全部渠道"),
        to_field_name="code",
    )
    dispute_type = forms.ModelChoiceField(
        label=_("纠纷类型"),
        required=False,
        queryset=DisputeType.objects.order_by("ordering", "pk"),
        empty_label=_("全部类型"),
        to_field_name="code",
    )
    center = forms.ModelChoiceField(
        label=_("中心（含下级）"), required=False, queryset=None, empty_label=_("全部中心")
    )
    since = forms.DateField(
        label=_("登记日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    page = forms.IntegerField(label=_("页码"), required=False, min_value=1, max_value=50)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        centers = roles_of(user).centers() if user is not None else []
        self.fields["center"].queryset = centers_below(centers).order_by("path")
        self.fields["center"].error_messages["invalid_choice"] = _("所选中心不存在或不在您的范围内。")
        self.fields["channel"].error_messages["invalid_choice"] = _("没有这个渠道。")
        self.fields["dispute_type"].error_messages["invalid_choice"] = _("没有这个纠纷类型。")
        self.fields["status"].error_messages["invalid_choice"] = _("没有这个状态。")
        self.fields["page"].error_messages["max_value"] = _("最多显示前 50 页，请加上筛选条件缩小范围。")
        for name in ("since", "until"):
            self.fields[name].error_messages["invalid"] = _("请输入有效日期，如 2026-03-01。")

    def options(self) -> dict:
        """The <option>s of the filter selects (after each one's empty option), the submitted value selected:
        channels and dispute types from the reference-data cache (a save of either starts a new version, see
        ``routing.rules.connect_rule_signals``), the user's centers as (pk, name) pairs in one query. Built
        here, not by a template loop: a county supervisor's select has some 220 centers. Validation still
        reads the fields' querysets."""
        return {
            "channel_options": _options(
                reference_data("search-channel-options", _channel_options), self["channel"].value()
            ),
            "dispute_type_options": _options(
                reference_data("search-dispute-type-options", _dispute_type_options), self["dispute_type"].value()
            ),
            "center_options": _options(
                self.fields["center"].queryset.values_list("pk", "name"), self["center"].value()
            ),
        }

    def clean_q(self) -> str:
        return self.cleaned_data["q"][:QUERY_MAX]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("结束日期不能早于开始日期。"))
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {k: data.get(k) for k in ("status", "channel", "dispute_type", "center", "since", "until")}
