"""The calendar module against hand-computed deadlines (民诉法 art. 85, 调休, year boundaries, pauses)."""

import datetime as dt

import pytest

from cases.core.workcalendar import WorkCalendar, end_of_day, local_zone, provisional_years
from cases.models import CalendarDay, CalendarYear

D = dt.date

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=local_zone())


# (start, length, unit, expected last day, provisional) — computed by hand from the State Council schedules.
TABLE = [
    # Spring Festival 2026 (Feb 15–23 off, Sat Feb 14 and Sat Feb 28 worked): Feb 15 is a holiday -> Feb 24.
    (D(2026, 2, 5), 10, "calendar_days", D(2026, 2, 24), False),
    # National Day 2025 (Oct 1–8 off): a period ending Oct 1 ends on Thu Oct 9.
    (D(2025, 9, 16), 15, "calendar_days", D(2025, 10, 9), False),
    # Year boundary: ends Sun 2026-01-04, a 调休 working day, so it stays there.
    (D(2025, 12, 20), 15, "calendar_days", D(2026, 1, 4), False),
    # Ends on New Year's Day 2026 (Jan 1–3 off) -> the 调休 Sunday Jan 4.
    (D(2025, 12, 17), 15, "calendar_days", D(2026, 1, 4), False),
    # Ends on the 调休 Saturday before Spring Festival: that Saturday is a working day.
    (D(2026, 1, 30), 15, "calendar_days", D(2026, 2, 14), False),
    (D(2026, 3, 2), 30, "calendar_days", D(2026, 4, 1), False),
    # Working days: Fri Feb 13, 调休 Sat Feb 14, then the holiday until Tue Feb 24.
    (D(2026, 2, 12), 3, "working_days", D(2026, 2, 24), False),
    # 调休 Sunday Sep 28 2025 counts.
    (D(2025, 9, 26), 2, "working_days", D(2025, 9, 29), False),
    # Over National Day: Oct 9, Oct 10, then 调休 Saturday Oct 11.
    (D(2025, 9, 30), 3, "working_days", D(2025, 10, 11), False),
    # Over the year boundary: Dec 31, 调休 Sun Jan 4, Mon Jan 5.
    (D(2025, 12, 30), 3, "working_days", D(2026, 1, 5), False),
    # Medical mediation, 30 working days across Spring Festival 2026.
    (D(2026, 2, 2), 30, "working_days", D(2026, 3, 20), False),
    # 2027 has no official schedule: weekends and fixed-date holidays only, flagged provisional.
    (D(2026, 12, 20), 15, "calendar_days", D(2027, 1, 4), True),
    (D(2026, 12, 17), 15, "calendar_days", D(2027, 1, 4), True),  # Fri Jan 1 fixed holiday, then weekend
    (D(2027, 9, 20), 11, "calendar_days", D(2027, 10, 4), True),  # Oct 1–3 fixed, then Mon Oct 4
    (D(2026, 12, 29), 3, "working_days", D(2027, 1, 4), True),  # Dec 30, Dec 31, (Jan 1 off, weekend) Jan 4
]


@pytest.mark.parametrize(("start", "length", "unit", "expected", "provisional"), TABLE)
def test_hand_computed_deadlines(start, length, unit, expected, provisional):
    deadline = WorkCalendar().deadline(at(start), unit=unit, length=length)
    assert deadline.due_at == end_of_day(expected)
    assert deadline.provisional is provisional


def test_the_seeded_table_knows_the_official_schedule():
    calendar = WorkCalendar()
    assert calendar.is_workday(D(2026, 2, 14))  # Saturday, 调休
    assert not calendar.is_workday(D(2026, 2, 17))  # Spring Festival, a Tuesday
    assert not calendar.is_workday(D(2025, 10, 8))  # National Day, a Wednesday
    assert CalendarDay.objects.get(date=D(2026, 2, 28)).is_workday


def test_an_administrator_correction_wins():
    CalendarDay.objects.update_or_create(
        date=D(2026, 3, 20),
        defaults={"is_workday": False, "name": "地方调整", "source": CalendarDay.Source.ADMIN},
    )
    deadline = WorkCalendar().deadline(at(D(2026, 2, 2)), unit="working_days", length=30)
    assert deadline.due_at == end_of_day(D(2026, 3, 23))


def test_entering_a_years_schedule_removes_the_provisional_flag_and_uses_it():
    CalendarYear.objects.create(year=2027, official=True, source="国务院办公厅通知")
    CalendarDay.objects.create(date=D(2027, 1, 4), is_workday=False, name="元旦", source="admin")
    deadline = WorkCalendar().deadline(at(D(2026, 12, 20)), unit="calendar_days", length=15)
    assert deadline.due_at == end_of_day(D(2027, 1, 5))
    assert deadline.provisional is False


def test_administrators_are_told_which_years_are_provisional():
    assert provisional_years(at(D(2026, 6, 1))) == [2027]
    assert provisional_years(at(D(2025, 6, 1))) == []


def test_pauses_are_excluded_in_the_clocks_own_unit():
    calendar = WorkCalendar()
    pause = [(at(D(2026, 3, 3), 10), at(D(2026, 3, 5), 15))]
    # 5 working days from Mon Mar 2 is Mon Mar 9; the pause covers Wed 4 and Thu 5 -> Wed Mar 11.
    working = calendar.deadline(at(D(2026, 3, 2)), unit="working_days", length=5, pauses=pause)
    assert working.due_at == end_of_day(D(2026, 3, 11))
    # 10 calendar days -> Thu Mar 12, plus 2 paused days -> Sat Mar 14, a rest day -> Mon Mar 16.
    calendar_days = calendar.deadline(at(D(2026, 3, 2)), unit="calendar_days", length=10, pauses=pause)
    assert calendar_days.due_at == end_of_day(D(2026, 3, 16))
    hours = calendar.deadline(
        at(D(2026, 3, 2), 10), unit="hours", length=4, pauses=[(at(D(2026, 3, 2), 11), at(D(2026, 3, 2), 12))]
    )
    assert hours.due_at == at(D(2026, 3, 2), 15)


def test_the_start_day_is_never_counted():
    calendar = WorkCalendar()
    late = calendar.deadline(at(D(2026, 3, 2), 23, 50), unit="calendar_days", length=1)
    assert late.due_at == end_of_day(D(2026, 3, 3))
    assert calendar.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)


def test_orange_starts_one_working_day_before_the_due_day():
    calendar = WorkCalendar()
    # Due Tue Feb 24 2026: the working day before is the 调休 Saturday Feb 14, so orange from Feb 15 00:00.
    assert calendar.orange_from(end_of_day(D(2026, 2, 24)), unit="calendar_days", working_days=1) == at(
        D(2026, 2, 15), 0
    )
    assert calendar.orange_from(end_of_day(D(2026, 3, 6)), unit="calendar_days", working_days=0) is None


def test_administrators_see_the_provisional_warning_in_the_calendar_admin(login, admin_user):
    import time_machine
    from django.urls import reverse

    with time_machine.travel(at(D(2026, 11, 1)), tick=False):
        html = (
            login(admin_user).get(reverse("admin:cases_calendarday_changelist"), follow=True).content.decode()
        )
    assert "2027 年尚无官方放假安排" in html


def test_a_deadline_into_an_unscheduled_year_shows_as_provisional_on_the_case(make_case, login, clerk):
    import time_machine
    from django.urls import reverse

    with time_machine.travel(at(D(2026, 12, 20)), tick=False):
        case = make_case()
        html = login(clerk).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert case.clocks.get(code="handling").provisional
    assert "（暂定）" in html
