"""Dashboard measures fed by the other areas' records (ratings, visits, summonses, outcomes)."""

import datetime as dt

from django.utils import timezone

from cases.models import Rating
from cases.warnings.selectors import Period, dashboard_figures


def _measure(figures, key):
    return next(m for m in figures["measures"] if m["key"] == key)


def _period():
    today = timezone.localdate()
    return Period(today - dt.timedelta(days=7), today)


def test_satisfaction_rate_counts_basically_satisfied_and_better(make_case, supervisor, world, foreign_clerk):
    case = make_case()
    applicant, respondent = case.parties.all()
    Rating.objects.create(case=case, party=applicant, score=Rating.Score.VERY_SATISFIED)
    Rating.objects.create(case=case, party=respondent, score=Rating.Score.DISSATISFIED)
    elsewhere = make_case(center=world.other_county, actor=foreign_clerk)
    Rating.objects.create(case=elsewhere, party=elsewhere.parties.first(), score=Rating.Score.DISSATISFIED)
    measure = _measure(dashboard_figures(supervisor, _period()), "satisfaction_rate")
    assert measure["value"] == 50.0
    assert (measure["numerator"], measure["denominator"]) == (1, 2)


def test_visit_satisfaction_and_overdue_visits(make_case, supervisor, login):
    from cases.models import FollowUpVisit

    case = make_case()
    today = timezone.localdate()
    FollowUpVisit.objects.create(
        case=case,
        reason=FollowUpVisit.Reason.AFTER_CLOSING,
        due_on=today,
        visited_at=timezone.now(),
        satisfaction=4,
    )
    FollowUpVisit.objects.create(
        case=case,
        reason=FollowUpVisit.Reason.AFTER_CLOSING,
        due_on=today,
        visited_at=timezone.now(),
        satisfaction=1,
    )
    late = FollowUpVisit.objects.create(
        case=case, reason=FollowUpVisit.Reason.AFTER_CLOSING, due_on=today - dt.timedelta(days=2)
    )
    figures = dashboard_figures(supervisor, _period())
    measure = _measure(figures, "visit_satisfaction_rate")
    assert (measure["value"], measure["numerator"], measure["denominator"]) == (50.0, 1, 2)
    assert [v.pk for v in figures["overdue_visits"]] == [late.pk]
    html = login(supervisor).get("/cases/warnings/").content.decode()
    assert 'data-testid="overdue-visits"' in html and case.number in html


def test_failed_sessions_raise_the_risk_level(make_case, world, mediator):
    from cases.lifecycle.services import record_session
    from cases.models import SessionOutcome, WarningLevel
    from tests.cases.lifecycle_helpers import route

    case = route(make_case(), world.channels["specialist"])
    before = case.risk_level
    for _ in range(3):
        record_session(
            case,
            actor=mediator,
            started_at=timezone.now(),
            mode="in_person",
            discussion="调解",
            outcome=SessionOutcome.FAILED,
        )
    case.refresh_from_db()
    assert case.risk_level > before
    assert case.warning_level >= WarningLevel.YELLOW


def test_summonses_feed_the_timely_sign_rate_and_the_overdue_list(
    make_case, world, supervisor, liaison, login
):
    import time_machine

    from routing.models import Summons
    from routing.services import accept_summons, summon_departments

    noon = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12)))
    with time_machine.travel(noon - dt.timedelta(hours=4), tick=False):  # summoned at 08:00, due 11:00
        (late,) = summon_departments(
            make_case(),
            actor=supervisor,
            departments=[world.department],
            deadline=noon - dt.timedelta(hours=1),
        )
    with time_machine.travel(noon, tick=False):
        (answered,) = summon_departments(
            make_case(),
            actor=supervisor,
            departments=[world.department],
            deadline=noon + dt.timedelta(hours=2),
        )
        accept_summons(answered, actor=liaison)
        figures = dashboard_figures(supervisor, _period())
        html = login(supervisor).get("/cases/warnings/").content.decode()
    measure = _measure(figures, "timely_sign_rate")
    assert (measure["value"], measure["numerator"], measure["denominator"]) == (50.0, 1, 2)
    assert [s.pk for s in figures["overdue_summonses"]] == [late.pk]
    late.refresh_from_db()
    assert late.state == Summons.State.PENDING
    assert 'data-testid="overdue-summonses"' in html and late.case.number in html


def test_escalations_reach_the_assigned_mediator_not_the_whole_channel(
    make_case, world, mediator, supervisor
):
    from accounts.models import Membership
    from cases.warnings.notifications import escalation_recipients
    from tests.cases.lifecycle_helpers import route
    from tests.factories import MembershipFactory, UserFactory

    colleague = UserFactory(username="colleague")
    MembershipFactory(
        user=colleague,
        center=world.county,
        role=Membership.Role.MEDIATOR,
        channel=world.channels["specialist"],
    )
    case = route(make_case(), world.channels["specialist"])  # assigns both specialist mediators
    from routing.models import CaseAssignment

    CaseAssignment.objects.filter(case=case, mediator=colleague).delete()
    recipients = {u.username for u in escalation_recipients([case])[case.pk]}
    assert recipients == {"mediator", "supervisor"}
