"""Warning reference data: the working-day calendar, deadline policies, thresholds and the sweep's schedule."""

from __future__ import annotations

from cases.core.models import CalendarDay, CalendarYear
from cases.core.workcalendar import (
    bump_reference_version,
)
from cases.warnings.models import (
    DeadlinePolicy,
    PolicyClock,
    WarningSetting,
)
from cases.warnings.thresholds import SETTING_DEFAULTS

# --- seed -----------------------------------------------------------------------------------
# (code, name, basis, channel, dispute type, source, clocks)
# clock: (code, name, start, stop, length, unit, pausable, max_ext, max_ext_len)
POLICIES = [
    (
        "people-mediation",
        "人民调解（一般）",
        "人民调解工作若干规定第33条；人民调解法第33条",
        None,
        None,
        "",
        [
            ("handling", "调解期限", "accepted", "concluded", 30, "calendar_days", True, 1, 30),
            (
                "judicial-confirmation",
                "申请司法确认期限",
                "agreement_effective",
                "confirmation_applied",
                30,
                "calendar_days",
                False,
                0,
                0,
            ),
        ],
    ),
    (
        "petition",
        "信访事项",
        "信访工作条例第22、23、34条",
        "petition",
        None,
        "",
        [
            ("acceptance-notice", "告知是否受理", "registered", "accepted", 15, "calendar_days", False, 0, 0),
            ("handling", "信访事项办理", "accepted", "concluded", 60, "calendar_days", False, 1, 30),
        ],
    ),
    (
        "petition-system",
        "信访系统转入",
        "信访工作条例第22、23、34条",
        None,
        None,
        "petition_system",
        [
            ("acceptance-notice", "告知是否受理", "registered", "accepted", 15, "calendar_days", False, 0, 0),
            ("handling", "信访事项办理", "accepted", "concluded", 60, "calendar_days", False, 1, 30),
        ],
    ),
    (
        "labour",
        "劳动争议调解",
        "劳动争议调解仲裁法第14条",
        None,
        "labour",
        "",
        [("handling", "劳动争议调解期限", "accepted", "concluded", 15, "calendar_days", False, 0, 0)],
    ),
    (
        "medical",
        "医疗纠纷人民调解",
        "医疗纠纷预防和处理条例第38条（鉴定时间不计入）",
        None,
        "medical",
        "",
        [("handling", "医调委调解期限", "accepted", "concluded", 30, "working_days", True, 0, 0)],
    ),
    (
        "court-prefiling",
        "诉前调解",
        "人民法院在线调解规则第24条（鉴定时间不计入）",
        "court",
        None,
        "",
        [("handling", "诉前调解期限", "accepted", "concluded", 30, "calendar_days", True, 1, 30)],
    ),
]


def seed_calendar() -> None:
    """Copy the official schedule from chinesecalendar; administrator corrections are never overwritten."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday, holidays, workdays

    # The package's tables name each day by the holiday's English value; its enum knows the Chinese.
    chinese = {h.value: h.chinese for h in Holiday}
    years = sorted({d.year for d in holidays})
    admin_dates = set(
        CalendarDay.objects.filter(source=CalendarDay.Source.ADMIN).values_list("date", flat=True)
    )
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    rows = []
    for table, is_workday in ((holidays, False), (workdays, True)):
        for day, holiday in table.items():
            if day in admin_dates or day in existing:
                continue
            label = getattr(holiday, "chinese", "") or chinese.get(str(holiday), str(holiday))
            rows.append(
                CalendarDay(
                    date=day,
                    is_workday=is_workday,
                    name=(label if not is_workday else f"{label}调休上班")[:40],
                    source=CalendarDay.Source.OFFICIAL,
                )
            )
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    # Official rows seeded before the names were Chinese ("National Day") get their Chinese names.
    for english, name in chinese.items():
        CalendarDay.objects.filter(source=CalendarDay.Source.OFFICIAL, name=english).update(name=name)
        CalendarDay.objects.filter(source=CalendarDay.Source.OFFICIAL, name=f"{english}调休上班").update(
            name=f"{name}调休上班"
        )
    version = getattr(chinese_calendar, "__version__", "")
    for year in years:
        CalendarYear.objects.get_or_create(
            year=year, defaults={"source": f"chinesecalendar {version}".strip()}
        )


def seed_policies() -> None:
    from cases.core.models import DisputeType
    from routing.models import Channel

    for code, name, basis, channel, dispute_type, source, clocks in POLICIES:
        policy, created = DeadlinePolicy.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "legal_basis": basis,
                "channel": Channel.objects.filter(code=channel).first() if channel else None,
                "dispute_type": DisputeType.objects.filter(code=dispute_type).first()
                if dispute_type
                else None,
                "source": source,
            },
        )
        if not created:
            continue
        for ccode, cname, start, stop, length, unit, pausable, max_ext, max_len in clocks:
            PolicyClock.objects.create(
                policy=policy,
                code=ccode,
                name=cname,
                start_trigger=start,
                stop_trigger=stop,
                length=length,
                unit=unit,
                pausable=pausable,
                max_extensions=max_ext,
                max_extension_length=max_len,
            )


def seed_settings() -> None:
    for key, (default, label) in SETTING_DEFAULTS.items():
        WarningSetting.objects.get_or_create(key=key, defaults={"value": default, "label": label})


def seed_sweep_schedule(every_seconds: int | None = None) -> None:
    """The django-celery-beat entry that runs the sweep (every minute by default)."""
    from django.conf import settings
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every = every_seconds or settings.WARNING_SWEEP_INTERVAL_SECONDS
    schedule, _created = IntervalSchedule.objects.get_or_create(every=every, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.update_or_create(
        name="warnings.sweep",
        defaults={"task": "cases.tasks.sweep_warnings", "interval": schedule, "enabled": True},
    )


def seed_warnings() -> None:
    """Reference data for warnings: calendar, legal deadline policies, thresholds, the sweep schedule."""
    seed_calendar()
    seed_policies()
    seed_settings()
    seed_sweep_schedule()
    bump_reference_version()  # the calendar's rows went in with bulk_create, which sends no signals
