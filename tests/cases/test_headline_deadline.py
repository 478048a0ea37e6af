"""One headline deadline per case: the clock governing its current stage, for every seeded policy
(cases/warnings/seed.py POLICIES), and the acceptance notice stopped for a case accepted at registration."""

import datetime as dt

import pytest
import time_machine

from cases.core.models import Source
from cases.core.workcalendar import end_of_day
from cases.intake.services import accept_case
from cases.models import Case, CaseClock, DisputeType, Status
from cases.warnings.clocks import case_deadlines, headline_of
from cases.warnings.seed import POLICIES
from cases.warnings.sweep import on_case_changed
from tests.cases.lifecycle_helpers import make_effective, route, session
from tests.cases.warnings_support import START

pytestmark = pytest.mark.django_db


def _headline(case):
    deadlines = case_deadlines(case, now=START)
    case.refresh_from_db()
    # The page's headline and the case's column (queues, API, receipt) are the same clock.
    assert case.due_at == (deadlines.headline.due_at if deadlines.headline else None)
    return deadlines.headline


def _routed(case, channel):
    case = route(case, channel)
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        on_case_changed(case, trigger="assigned")
    return Case.objects.get(pk=case.pk)


def test_every_seeded_policy_is_covered_here():
    assert {p[0] for p in POLICIES} == {
        "people-mediation",
        "petition",
        "petition-system",
        "labour",
        "medical",
        "court-prefiling",
    }


def test_people_mediation_handling_then_the_confirmation_window(make_case, world, mediator):
    with time_machine.travel(START, tick=False):
        case = make_case(dispute_type=DisputeType.objects.get(code="family"))
    headline = _headline(case)
    assert (headline.code, headline.name) == ("handling", "调解期限")
    assert headline.due_at == end_of_day(dt.date(2026, 4, 1))  # Mar 2 + 30 days
    case = _routed(case, world.channels["specialist"])
    with time_machine.travel(START + dt.timedelta(days=2), tick=False):
        session(case, mediator)
        make_effective(Case.objects.get(pk=case.pk), mediator)
    headline = _headline(case)
    # After the agreement takes effect, the 30-day window to apply for judicial confirmation governs.
    assert (headline.code, headline.name) == ("judicial-confirmation", "申请司法确认期限")
    assert headline.due_at == end_of_day(dt.date(2026, 4, 3))
    running = {c.code for c in case_deadlines(case, now=START).running}
    assert "judicial-confirmation" in running


def test_petition_channel_accepted_at_registration_governed_by_handling(make_case, world):
    with time_machine.travel(START, tick=False):
        case = make_case(dispute_type=DisputeType.objects.get(code="family"))
    case = _routed(case, world.channels["petition"])
    notice = CaseClock.objects.get(case=case, code="acceptance-notice")
    assert notice.stopped_at is not None and notice.stop_reason == "accepted"
    headline = _headline(case)
    assert (headline.code, headline.name, headline.length) == ("handling", "信访事项办理", 60)
    assert headline.due_at == end_of_day(dt.date(2026, 5, 6))  # Mar 2 + 60 = May 1, holiday to May 5


def test_petition_system_accepted_at_registration_has_its_notice_stopped_at_once(make_case):
    with time_machine.travel(START, tick=False):
        case = make_case(source=Source.PETITION_SYSTEM)
    notice = CaseClock.objects.get(case=case, code="acceptance-notice")
    # Accepted in the same moment it was registered: the notice clock stops at its start.
    assert notice.stopped_at == notice.started_at and notice.stop_reason == "accepted"
    headline = _headline(case)
    assert (headline.code, headline.length) == ("handling", 60)
    assert headline.due_at == end_of_day(dt.date(2026, 5, 6))
    # Day 20: no red for a notice the center gave on day 0.
    with time_machine.travel(START + dt.timedelta(days=20), tick=False):
        on_case_changed(case)
    case.refresh_from_db()
    assert case.time_level < 4 and case.due_at == headline.due_at


def test_petition_system_submitted_waits_on_the_notice_then_handling(world, clerk):
    from cases.intake.services import register_case
    from tests.conftest import make_case_data

    with time_machine.travel(START, tick=False):
        case = register_case(
            center=world.county,
            actor=None,
            data=make_case_data(source=Source.PETITION_SYSTEM),
            status=Status.SUBMITTED,
        )
    headline = _headline(case)
    assert (headline.code, headline.name) == ("acceptance-notice", "告知是否受理")
    assert headline.due_at == end_of_day(dt.date(2026, 3, 17))
    with time_machine.travel(START + dt.timedelta(days=3), tick=False):
        accept_case(case, actor=clerk)
    headline = _headline(case)
    assert headline.code == "handling"
    assert headline.due_at == end_of_day(dt.date(2026, 5, 6))  # Mar 5 + 60 = May 4, in the May 1-5 holiday
    assert [c.code for c in case_deadlines(case).running] == ["handling"]


def test_labour_handling_is_the_headline(make_case):
    with time_machine.travel(START, tick=False):
        case = make_case()
    headline = _headline(case)
    assert (headline.name, headline.length) == ("劳动争议调解期限", 15)
    assert headline.due_at == end_of_day(dt.date(2026, 3, 17))


def test_medical_working_days_handling_is_the_headline(make_case):
    with time_machine.travel(START, tick=False):
        case = make_case(dispute_type=DisputeType.objects.get(code="medical"))
    headline = _headline(case)
    assert (headline.name, headline.unit) == ("医调委调解期限", "working_days")
    assert headline.due_at == end_of_day(dt.date(2026, 4, 14))  # 30 working days, Qingming Apr 4-6 skipped


def test_court_prefiling_routed_is_the_headline(make_case, world):
    with time_machine.travel(START, tick=False):
        case = make_case(dispute_type=DisputeType.objects.get(code="family"))
    case = _routed(case, world.channels["court"])
    headline = _headline(case)
    assert (headline.name, headline.length) == ("诉前调解期限", 30)


def test_a_closed_case_has_no_headline(make_case):
    with time_machine.travel(START, tick=False):
        case = make_case()
    CaseClock.objects.filter(case=case).update(stopped_at=START)
    assert case_deadlines(case).headline is None


def test_headline_of_prefers_the_latest_stage_and_then_the_later_due():
    from types import SimpleNamespace as C

    notice = C(started_at=START, due_at=START + dt.timedelta(days=15), running=True)
    handling = C(started_at=START, due_at=START + dt.timedelta(days=60), running=True)
    window = C(started_at=START + dt.timedelta(days=9), due_at=START + dt.timedelta(days=39), running=True)
    assert headline_of([notice, handling]) is handling
    assert headline_of([notice, handling, window]) is window
    window.running = False
    assert headline_of([window, handling]) is handling
    assert headline_of([]) is None
