"""The rota: which rotating departments sit at a center today (shown on the intake page)."""

import datetime as dt

import time_machine
from django.template import Context, Template
from django.test import RequestFactory

from accounts.models import Department
from routing.models import RotaEntry
from routing.selectors import on_duty
from tests.factories import DepartmentFactory


def _render(user, center=None):
    request = RequestFactory().get("/")
    request.user = user
    template = Template('{% include "routing/on_duty.html" %}')
    return template.render(Context({"request": request, "center": center}))


def test_on_duty_follows_weekday_and_validity(world, clerk):
    housing = DepartmentFactory(
        center=world.county, name="住建局", code="housing", seating=Department.Seating.ROTATING
    )
    RotaEntry.objects.create(center=world.county, department=world.department, weekday=0, staff_name="王干事")
    RotaEntry.objects.create(
        center=world.county, department=housing, weekday=0, valid_until=dt.date(2026, 1, 31)
    )
    monday = dt.date(2026, 3, 2)
    assert [e.department for e in on_duty(world.county, monday)] == [world.department]
    assert [e.department for e in on_duty(world.county, dt.date(2026, 1, 26))] == [world.department, housing]
    assert list(on_duty(world.county, dt.date(2026, 3, 3))) == []
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))):
        html = _render(clerk)
        assert "今日入驻部门" in html and "人社局" in html and "王干事" in html and "住建局" not in html
    with time_machine.travel(dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))):
        assert "今日无轮驻部门。" in _render(clerk)
