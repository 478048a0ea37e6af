"""Overdue screening rounds on the supervisors' warnings dashboard (/cases/warnings/), through
settings.DASHBOARD_PANELS: a round past its due date with an assignee not reported shows, with the units still
owing and a link to the round; reported or not yet due rounds do not; other areas' supervisors do not see it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from grassroots.models import ScreeningRound
from grassroots.selectors import overdue_rounds_panel
from grassroots.services import report_screening, schedule_round
from tests.conftest import _persona

pytestmark = pytest.mark.django_db


def _round(world, actor, title, *, days_ago: int, assignees=None):
    round_ = schedule_round(
        actor=actor,
        center=world.county,
        title=title,
        kind="monthly",
        due_on=timezone.localdate(),
        checklist="在建工地工资发放",
        assignees=assignees or [world.town, world.village],
    )
    # (a round cannot be scheduled in the past: its due date passes while it waits)
    ScreeningRound.objects.filter(pk=round_.pk).update(due_on=timezone.localdate() - timedelta(days=days_ago))
    return round_


@pytest.fixture
def village_clerk(world):
    return _persona(world, "village_clerk", Membership.Role.CLERK, center=world.village)


@pytest.fixture
def rounds(world, supervisor, village_clerk):
    overdue = _round(world, supervisor, "十一月矛盾纠纷排查", days_ago=3)
    report_screening(overdue.tasks.get(center=world.village), actor=village_clerk)  # the town still owes
    reported = _round(world, supervisor, "十月矛盾纠纷排查", days_ago=30, assignees=[world.village])
    report_screening(reported.tasks.get(), actor=village_clerk, findings=["某工地欠薪"])
    due_today = _round(world, supervisor, "十二月矛盾纠纷排查", days_ago=0)
    return overdue, reported, due_today


def test_the_overdue_round_shows_on_the_dashboard_and_links_to_it(login, supervisor, world, rounds):
    overdue, reported, due_today = rounds
    response = login(supervisor).get(reverse("cases:warnings_dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="panel-overdue-rounds"' in page
    assert page.count('data-testid="overdue-round"') == 1
    assert reverse("grassroots:round_detail", args=[overdue.pk]) in page
    assert reverse("grassroots:round_detail", args=[reported.pk]) not in page
    assert reverse("grassroots:round_detail", args=[due_today.pk]) not in page
    assert "超期 3 天" in page and world.town.name in page
    panel = overdue_rounds_panel(supervisor)["context"]
    assert (panel["round_count"], panel["task_count"]) == (1, 1)
    assert [t.center for t in panel["rounds"][0].owing] == [world.town]


def test_a_round_fully_reported_leaves_the_panel(login, supervisor, world, rounds):
    overdue = rounds[0]
    town_clerk = _persona(world, "town_clerk", Membership.Role.CLERK, center=world.town)
    report_screening(overdue.tasks.get(center=world.town), actor=town_clerk)
    page = login(supervisor).get(reverse("cases:warnings_dashboard")).content.decode()
    assert 'data-testid="overdue-round"' not in page and "没有逾期未反馈的排查任务" in page


def test_other_areas_and_other_roles_do_not_see_it(login, world, rounds, mediator, outsider):
    other_supervisor = _persona(
        world, "other_supervisor", Membership.Role.SUPERVISOR, center=world.other_county
    )
    page = login(other_supervisor).get(reverse("cases:warnings_dashboard")).content.decode()
    assert reverse("grassroots:round_detail", args=[rounds[0].pk]) not in page
    assert overdue_rounds_panel(other_supervisor)["context"]["round_count"] == 0
    assert overdue_rounds_panel(outsider)["context"]["rounds"] == []
    assert (
        login(mediator).get(reverse("cases:warnings_dashboard")).status_code == 403
    )  # the dashboard's own rule


def test_the_panel_runs_a_fixed_number_of_queries(world, supervisor, rounds):
    overdue_rounds_panel(supervisor)  # the supervisor's roles, cached for the request
    with CaptureQueriesContext(connection) as one:
        overdue_rounds_panel(supervisor)
    for n in range(12):
        _round(world, supervisor, f"专项排查{n}", days_ago=n + 1)
    with CaptureQueriesContext(connection) as many:
        panel = overdue_rounds_panel(supervisor)["context"]
    assert panel["round_count"] == 13 and len(panel["rounds"]) == 10
    assert len(many.captured_queries) == len(one.captured_queries) <= 3
