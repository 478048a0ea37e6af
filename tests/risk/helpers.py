"""Hand-made case series for the detection tests: inert rows planted at given registration times."""

import datetime as dt
import itertools

from cases.core.models import Case, DisputeType, Party

_serial = itertools.count(1)


def plant(
    center, type_code: str, times: list[dt.datetime], *, respondent: dict | None = None, **fields
) -> list[Case]:
    """One case per time in ``times`` at ``center``, of dispute type ``type_code``, registered then."""
    dispute_type = DisputeType.objects.get(code=type_code)
    made = []
    for moment in times:
        n = next(_serial)
        case = Case.objects.create(
            number=f"(2026)测试矛调字第{n}号",
            year=2026,
            serial=n,
            tracking_code=f"T{n:09d}",
            origin_center=center,
            center=center,
            dispute_type=dispute_type,
            summary="测试",
            **{"status": "registered", **fields},
        )
        Case.objects.filter(pk=case.pk).update(created_at=moment)
        Party.objects.create(case=case, role=Party.Role.APPLICANT, name="张三", phone="13800138000")
        if respondent:
            Party.objects.create(case=case, role=Party.Role.RESPONDENT, **respondent)
        made.append(case)
    return made


def weekly(now: dt.datetime, per_week: dict[int, int]) -> list[dt.datetime]:
    """Times spread inside each week back from ``now`` (week 0 = the last 7 days): {week: count}."""
    times = []
    for week, count in per_week.items():
        for i in range(count):
            times.append(now - dt.timedelta(days=7 * week + 0.5 + (6 * i) / max(1, count)))
    return times
