"""The one calendar module: 民诉法 art. 85 counting, working days with 调休, pauses.

Rules (民事诉讼法 art. 85):
- the day (or hour) the period starts is not counted;
- a period counted in days whose last day is a statutory holiday ends on the next working day.
Working days follow the official schedule, stored in ``CalendarDay`` (seeded from the
``chinesecalendar`` package, corrected by administrators). A year without an official schedule
(no ``CalendarYear`` row marked official) is still computed from weekends and the fixed-date
holidays, and every deadline touching it is flagged provisional.

A ``WorkCalendar`` instance loads each year once and is reused by a whole sweep; the years' rows are
shared between processes through Django's cache as reference data (``reference_data``): one version
key, replaced whenever an administrator saves or deletes a calendar day, a year, a threshold or a
deadline policy, so an edit takes effect on the next read everywhere.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from mediation_center import request_cache
from mediation_center.errors import CACHE_DOWN

log = logging.getLogger(__name__)
ONE_DAY = dt.timedelta(days=1)
END_OF_DAY = dt.time(23, 59, 59)

# Holidays that fall on the same solar date every year (全国年节及纪念日放假办法, 2025):
# 元旦 1 day, 劳动节 2 days, 国庆节 3 days. Lunar holidays cannot be guessed without the schedule.
FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --- reference data, shared through the cache -----------------------------------------------
T = TypeVar("T")
REFERENCE_VERSION_KEY = "warnings-reference:version"
REFERENCE_TIMEOUT = 24 * 3600  # entries of a replaced version simply expire
_memo: dict[str, tuple[str, object]] = {}  # per process: name -> (version, value), only the current version


def _written_here(using: str) -> bool:
    """True inside a transaction that itself changed reference data: it must read its own rows, and must
    not put them in the shared cache before they are committed (they may still be rolled back)."""
    conn = connections[using]
    marker = getattr(conn, "_reference_written_in", None)
    return conn.in_atomic_block and marker is not None and marker is conn.atomic_blocks[0]


# Inside ``one_reference_version()``: the version read first, reused by every later read of the block.
_pinned: ContextVar[list | None] = ContextVar("reference_version_pinned", default=None)


@contextmanager
def one_reference_version() -> Iterator[None]:
    """Read the reference-data version from the cache once in this block (one service call), not once per
    ``reference_data`` read: a call reads its settings, clocks, calendar years and routing rules of one
    version, in one cache round trip. A change of reference data inside the block forgets the pin."""
    token = _pinned.set([None])
    try:
        yield
    finally:
        _pinned.reset(token)


def reference_version() -> str:
    pinned = _pinned.get()
    if pinned is not None and pinned[0] is not None:
        return pinned[0]
    version = _read_version()
    if pinned is not None:
        pinned[0] = version
    return version


def request_cache_keys(request) -> list[str]:
    """A staff page reads the version (settings.REQUEST_CACHE_KEYS); batched with the page's other reads."""
    user = getattr(request, "user", None)
    return [REFERENCE_VERSION_KEY] if user is not None and user.is_authenticated else []


def _read_version() -> str:
    version = request_cache.get(REFERENCE_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(REFERENCE_VERSION_KEY, version, None):
            version = cache.get(REFERENCE_VERSION_KEY) or version
    return version


def bump_reference_version(using: str = DEFAULT_DB_ALIAS) -> None:
    """Reference data changed: readers load it again. Replaced now and again after the commit, so that a
    reader who loaded the old rows while the writing transaction was still open cannot keep them."""
    _new_version()
    conn = connections[using]
    if conn.in_atomic_block:
        conn._reference_written_in = conn.atomic_blocks[0]
        transaction.on_commit(_new_version, using=using)


def _new_version() -> None:
    _memo.clear()
    request_cache.forget(REFERENCE_VERSION_KEY)
    if (pinned := _pinned.get()) is not None:
        pinned[0] = None
    try:
        cache.set(REFERENCE_VERSION_KEY, uuid.uuid4().hex, None)
    except CACHE_DOWN:  # readers load from the database meanwhile
        log.error("could not replace the reference-data version; cached calendar/thresholds may be stale")


def reference_data(name: str, load: Callable[[], T], using: str = DEFAULT_DB_ALIAS) -> T:
    """``load()`` once per version of the reference data: from this process's memo, else the cache.

    The value is shared: callers must not change it."""
    if _written_here(using):
        return load()
    try:
        version = reference_version()
        memo = _memo.get(name)
        if memo is not None and memo[0] == version:
            return memo[1]
        key = f"warnings-reference:{version}:{name}"
        value = cache.get(key)
    except CACHE_DOWN:  # intake and the sweep go on, from the database
        log.warning("cache unavailable; reading %s from the database", name)
        return load()
    if value is None:
        value = load()
        try:
            cache.set(key, value, REFERENCE_TIMEOUT)
        except CACHE_DOWN:
            log.warning("cache unavailable; %s not cached", name)
    _memo[name] = (version, value)
    return value


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


def _load_year(year: int) -> _Year:
    from cases.core.models import CalendarDay, CalendarYear

    official = CalendarYear.objects.filter(year=year, official=True).exists()
    overrides = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))
    return _Year(official, overrides)


class WorkCalendar:
    def __init__(self) -> None:
        self._years: dict[int, _Year] = {}
        # Answers memoised for this instance (a sweep asks the same questions for thousands of cases).
        self._deadlines: dict[tuple, Deadline] = {}
        self._orange: dict[tuple, dt.datetime | None] = {}

    def _year(self, year: int) -> _Year:
        loaded = self._years.get(year)
        if loaded is None:
            loaded = self._years[year] = reference_data(f"calendar-year-{year}", lambda: _load_year(year))
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
        extra = (
            self.paused_units(unit, list(pauses))
            if pauses
            else (dt.timedelta() if unit in ("hours", "minutes") else 0)
        )
        if unit == "hours":
            return Deadline(started_at + dt.timedelta(hours=length) + extra, False)
        if unit == "minutes":
            return Deadline(started_at + dt.timedelta(minutes=length) + extra, False)
        start = local_date(started_at)
        key = (start, unit, length + extra)
        known = self._deadlines.get(key)
        if known is None:
            if unit == "working_days":
                due = self.add_working_days(start, length + extra)
            else:
                due = self.add_calendar_days(start, length + extra)
            known = self._deadlines[key] = Deadline(end_of_day(due), self.provisional_between(start, due))
        return Deadline(known.due_at, known.provisional)

    def orange_from(self, due_at: dt.datetime, *, unit: str, working_days: int) -> dt.datetime | None:
        """The moment from which the deadline is 'due within ``working_days`` working days'."""
        if working_days <= 0:
            return None
        if unit in ("hours", "minutes"):
            return due_at - dt.timedelta(days=working_days)
        key = (due_at, working_days)
        known = self._orange.get(key, False)
        if known is False:
            before = self.subtract_working_days(local_date(due_at), working_days)
            known = self._orange[key] = start_of_day(before + ONE_DAY)
        return known


def provisional_years(now: dt.datetime | None = None, ahead: int = 1) -> list[int]:
    """This year and the next ``ahead`` years that have no official schedule yet (to warn administrators)."""
    calendar = WorkCalendar()
    year = local_date(now or timezone.now()).year
    return [y for y in range(year, year + ahead + 1) if not calendar.is_official(y)]
