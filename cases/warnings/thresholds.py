"""Warning thresholds: the ``WarningSetting`` defaults administrators edit, read through the reference cache."""

from __future__ import annotations

from cases.core.models import WarningLevel
from cases.core.workcalendar import (
    bump_reference_version,
    reference_data,
)
from cases.warnings.models import (
    WarningSetting,
)

L = WarningLevel


# key -> (default, label). Administrators edit the values in the admin; 0 switches a threshold off.
SETTING_DEFAULTS: dict[str, tuple[int, str]] = {
    "time_yellow_percent": (80, "时限已用比例达到该百分比时为黄色"),
    "time_orange_working_days": (1, "距届满不足该工作日数时为橙色（0 为不启用）"),
    "response_days_red": (0, "红色预警响应期限（天，0 为当日）"),
    "response_days_orange": (1, "橙色预警响应期限（天）"),
    "response_days_yellow": (2, "黄色预警响应期限（天）"),
    "response_days_blue": (3, "蓝色预警响应期限（天）"),
    "risk_people_yellow": (3, "涉及人数达到该数为黄色"),
    "risk_people_orange": (10, "涉及人数达到该数为橙色"),
    "risk_people_red": (50, "涉及人数达到该数为红色"),
    "risk_amount_yellow": (50000, "涉及金额（元）达到该数为黄色"),
    "risk_amount_orange": (200000, "涉及金额（元）达到该数为橙色"),
    "risk_amount_red": (1000000, "涉及金额（元）达到该数为红色"),
    "risk_repeat_yellow": (1, "重复来访次数达到该数为黄色"),
    "risk_repeat_orange": (2, "重复来访次数达到该数为橙色"),
    "risk_repeat_red": (4, "重复来访次数达到该数为红色"),
    "risk_police_yellow": (1, "报警次数达到该数为黄色"),
    "risk_police_orange": (2, "报警次数达到该数为橙色"),
    "risk_police_red": (3, "报警次数达到该数为红色"),
    "risk_failed_yellow": (1, "调解不成次数达到该数为黄色"),
    "risk_failed_orange": (2, "调解不成次数达到该数为橙色"),
    "risk_failed_red": (3, "调解不成次数达到该数为红色"),
    "risk_flag_violence_level": (4, "有极端行为或暴力风险时的等级（1蓝 2黄 3橙 4红）"),
    "risk_flag_mass_incident_level": (4, "可能引发群体性事件时的等级（1蓝 2黄 3橙 4红）"),
    "risk_flag_upward_petition_level": (3, "可能越级上访时的等级（1蓝 2黄 3橙 4红）"),
    "supervision_ack_hours": (24, "督办单签发后须签收的小时数"),
    "supervision_unacknowledged_level": (3, "督办单逾期未签收时案件至少为该等级"),
    "supervision_overdue_level": (4, "督办单逾期未反馈时案件至少为该等级"),
    "notify_min_level": (2, "升级到该等级及以上时通知承办人和督办人"),
    "email_retry_minutes": (2, "邮件待发送超过该分钟数时由巡检补发"),
}


RESPONSE_KEYS = {
    L.RED: "response_days_red",
    L.ORANGE: "response_days_orange",
    L.YELLOW: "response_days_yellow",
    L.BLUE: "response_days_blue",
}


def _load_settings() -> dict[str, int]:
    values = {key: default for key, (default, _label) in SETTING_DEFAULTS.items()}
    values.update(dict(WarningSetting.objects.values_list("key", "value")))
    return values


def warning_settings() -> dict[str, int]:
    """The thresholds, defaults filled in; read through the reference-data cache (an edit applies at once)."""
    return dict(reference_data("settings", _load_settings))


def _reference_changed(sender, using=None, **kwargs) -> None:
    bump_reference_version(using or "default")


def connect_reference_signals() -> None:
    """Cache invalidation only (called from ``CasesConfig.ready``): the calendar, thresholds and policies
    are cached as reference data, so a save or delete of any of them starts a new cache version."""
    from django.db.models.signals import post_delete, post_save

    from cases.core.models import CalendarDay, CalendarYear
    from cases.warnings.models import DeadlinePolicy, PolicyClock, WarningSetting

    for model in (CalendarDay, CalendarYear, WarningSetting, DeadlinePolicy, PolicyClock):
        uid = f"warnings-reference-{model.__name__}"
        post_save.connect(_reference_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_reference_changed, sender=model, dispatch_uid=uid)
