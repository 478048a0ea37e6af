"""Shared helpers for the warnings tests (time, eager Celery, moving a case to a channel)."""

import datetime as dt

from cases.core.workcalendar import local_zone

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=local_zone())  # a Monday with no holiday nearby


def local(y, m, d, h=9, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=local_zone())


def reload(case):
    case.refresh_from_db()
    return case
