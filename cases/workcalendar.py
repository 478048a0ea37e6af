"""The one calendar module: 民诉法 art. 85 counting, working days with 调休, pauses.

Rules (民事诉讼法 art. 85):
- the day (or hour) the period starts is not counted;
- a period counted in days whose last day is a statutory holiday ends on the next working day.
Working days follow the official schedule, stored in ``CalendarDay`` (seeded from the
``chinesecalendar`` package, corrected by administrators). A year without an official schedule
(no ``CalendarYear`` row marked official) is still computed from weekends and the fixed-date
holidays, and every deadline touching it is flagged provisional.

A ``WorkCalendar`` instance loads each year once (two queries) and is reused by a whole sweep.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

ONE_DAY = dt.timedelta(days=1)
END_OF_DAY = dt.time(23, 59, 59)

# Holidays that fall on the same solar date every year (全国年节及纪念日放假办法, 2025):
# 元旦 1 day, 劳动节 2 days, 国庆节 3 days. Lunar holidays cannot be guessed without the schedule.
FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(local_zone()).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """The last second of ``day`` in the center's zone: a day-counted deadline lasts the whole day."""
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=local_zone())


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=local_zone())


@dataclass
class _Year:
    official: bool
    overrides: dict[dt.date, bool]


@dataclass
class Deadline:
    due_at: dt.datetime
    provisional: bool


class WorkCalendar:
    def __init__(self) -> None:
        self._years: dict[int, _Year] = {}

    def _year(self, year: int) -> _Year:
        loaded = self._years.get(year)
        if loaded is None:
            from cases.models import CalendarDay, CalendarYear

            official = CalendarYear.objects.filter(year=year, official=True).exists()
            overrides = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))
            loaded = self._years[year] = _Year(official, overrides)
        return loaded

    # --- days -------------------------------------------------------------------------
    def is_official(self, year: int) -> bool:
        return self._year(year).official

    def is_workday(self, day: dt.date) -> bool:
        year = self._year(day.year)
        if day in year.overrides:
            return year.overrides[day]
        if not year.official and (day.month, day.day) in FIXED_HOLIDAYS:
            return False
        return day.weekday() < 5

    def provisional_between(self, first: dt.date, last: dt.date) -> bool:
        return any(not self.is_official(y) for y in range(first.year, last.year + 1))

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, otherwise the first working day after it."""
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def add_calendar_days(self, start: dt.date, days: int) -> dt.date:
        """Art. 85: the start day is not counted; a last day on a holiday moves to the next working day."""
        return self.next_workday(start + dt.timedelta(days=days))

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (the start day itself never counts)."""
        day = start
        counted = 0
        while counted < days:
            day += ONE_DAY
            if self.is_workday(day):
                counted += 1
        return day

    def subtract_working_days(self, end: dt.date, days: int) -> dt.date:
        day = end
        counted = 0
        while counted < days:
            day -= ONE_DAY
            if self.is_workday(day):
                counted += 1
        return day

    def working_days_between(self, first: dt.date, last: dt.date) -> int:
        """Working days in (first, last]: the day something starts is not counted."""
        count, day = 0, first
        while day < last:
            day += ONE_DAY
            count += self.is_workday(day)
        return count

    # --- clocks ------------------------------------------------------------------------
    def paused_units(self, unit: str, pauses: list[tuple[dt.datetime, dt.datetime]]) -> int | dt.timedelta:
        """How much the pauses add to a clock, in its own unit (days for day clocks, a duration otherwise)."""
        if unit in ("hours", "minutes"):
            return sum((end - start for start, end in pauses), dt.timedelta())
        total = 0
        for start, end in pauses:
            first, last = local_date(start), local_date(end)
            total += (
                (last - first).days if unit == "calendar_days" else self.working_days_between(first, last)
            )
        return total

    def deadline(
        self,
        started_at: dt.datetime,
        *,
        unit: str,
        length: int,
        pauses: list[tuple[dt.datetime, dt.datetime]] = (),
    ) -> Deadline:
        """When a clock of ``length`` ``unit`` started at ``started_at`` runs out, pauses excluded."""
        extra = self.paused_units(unit, list(pauses))
        if unit == "hours":
            return Deadline(started_at + dt.timedelta(hours=length) + extra, False)
        if unit == "minutes":
            return Deadline(started_at + dt.timedelta(minutes=length) + extra, False)
        start = local_date(started_at)
        if unit == "working_days":
            due = self.add_working_days(start, length + extra)
        else:
            due = self.add_calendar_days(start, length + extra)
        return Deadline(end_of_day(due), self.provisional_between(start, due))

    def orange_from(self, due_at: dt.datetime, *, unit: str, working_days: int) -> dt.datetime | None:
        """The moment from which the deadline is 'due within ``working_days`` working days'."""
        if working_days <= 0:
            return None
        if unit in ("hours", "minutes"):
            return due_at - dt.timedelta(days=working_days)
        before = self.subtract_working_days(local_date(due_at), working_days)
        return start_of_day(before + ONE_DAY)


def provisional_years(now: dt.datetime | None = None, ahead: int = 1) -> list[int]:
    """This year and the next ``ahead`` years that have no official schedule yet (to warn administrators)."""
    calendar = WorkCalendar()
    year = local_date(now or timezone.now()).year
    return [y for y in range(year, year + ahead + 1) if not calendar.is_official(y)]
