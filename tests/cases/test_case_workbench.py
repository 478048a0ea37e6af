"""The case page's header: the step bar from the timeline and the case row, the countdown in the clock's
own unit, and the lifecycle actions with the next one first."""

import datetime as dt

from django.urls import reverse

from cases.core.workcalendar import local_zone
from cases.warnings.models import CaseClock
from cases.warnings.selectors import countdown_of
from tests.cases.lifecycle_helpers import *  # noqa: F403
from tests.cases.lifecycle_helpers import draft, make_effective


def _page(client, case):
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.context


def test_the_step_bar_shows_where_a_case_in_mediation_stands(login, mediating_case, mediator):
    steps = {s["code"]: s for s in _page(login(mediator), mediating_case)["steps"]}
    assert list(steps) == [
        "accept",
        "warn",
        "route",
        "supervise",
        "resolve",
        "evaluate",
        "close",
        "follow_up",
    ]
    assert steps["accept"]["state"] == "done" and steps["accept"]["at"]
    assert steps["route"]["state"] == "done" and steps["route"]["at"]
    assert steps["resolve"]["state"] == "current"
    assert {steps[c]["state"] for c in ("evaluate", "close", "follow_up")} == {"ahead"}


def test_a_closed_case_has_every_main_step_done(login, closed_case, mediator):
    steps = {s["code"]: s["state"] for s in _page(login(mediator), closed_case)["steps"]}
    assert steps["resolve"] == steps["evaluate"] == steps["close"] == "done"
    # The closed case has follow-up visits still to make: that is where it stands.
    assert steps["follow_up"] == "current"


def test_the_next_action_comes_first(login, mediating_case, mediator):
    client = login(mediator)
    assert _page(client, mediating_case)["ordered_actions"][0] == "edit_agreement"  # a session is on record
    draft(mediating_case, mediator)
    assert _page(client, mediating_case)["ordered_actions"][0] == "sign_agreement"
    make_effective(mediating_case, mediator)
    actions = _page(client, mediating_case)["ordered_actions"]
    assert actions[0] == "conclude" and "edit_agreement" not in actions
    html = client.get(reverse("cases:detail", args=[mediating_case.pk])).content.decode()
    header = html[html.index('data-testid="actions"') :][:600]
    assert 'class="btn btn-primary" data-action="conclude"' in header and "制作调解协议书" not in header


def test_a_supervisor_sees_no_mediator_actions(login, mediating_case, supervisor):
    actions = _page(login(supervisor), mediating_case)["ordered_actions"]
    assert "record_session" not in actions and "conclude" not in actions


def _clock(unit: str, due: dt.datetime, paused_since=None) -> CaseClock:
    return CaseClock(
        name="办理期限", unit=unit, length=1, started_at=due, due_at=due, paused_since=paused_since
    )


def test_the_countdown_counts_in_the_clocks_unit(db):
    zone = local_zone()
    monday = dt.datetime(2026, 3, 2, 9, 0, tzinfo=zone)
    friday_end = dt.datetime(2026, 3, 6, 23, 59, tzinfo=zone)
    working = countdown_of(_clock("working_days", friday_end), now=monday)
    assert (working.amount, working.unit, working.overdue) == (4, "working_days", False)
    calendar = countdown_of(_clock("calendar_days", friday_end), now=monday)
    assert (calendar.amount, calendar.overdue) == (4, False)
    next_tuesday = dt.datetime(2026, 3, 10, 9, 0, tzinfo=zone)
    late = countdown_of(_clock("working_days", friday_end), now=next_tuesday)
    assert (late.amount, late.overdue) == (2, True)  # Monday and Tuesday past the Friday
    hours = countdown_of(_clock("hours", monday + dt.timedelta(hours=5)), now=monday)
    assert (hours.amount, hours.unit, hours.overdue) == (5, "hours", False)
    paused = countdown_of(_clock("calendar_days", friday_end, paused_since=monday), now=next_tuesday)
    assert (paused.amount, paused.overdue, paused.paused) == (4, False, True)  # it stood still when paused
    assert countdown_of(None) is None
