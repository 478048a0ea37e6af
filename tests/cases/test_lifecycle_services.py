"""Lifecycle services: who may act, what each records, effective date and confirmation window,
follow-up scheduling and reopening, and that every service writes exactly one timeline event."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from cases.lifecycle import services
from cases.lifecycle.selectors import overdue_follow_ups_for
from cases.models import (
    Case,
    FollowUpVisit,
    MediationSession,
    OralAgreement,
    Status,
    TerminationNotice,
    TimelineEvent,
)
from mediation_center.errors import DomainError, IllegalTransition, NotAllowed
from tests.cases.lifecycle_helpers import *  # noqa: F403
from tests.cases.lifecycle_helpers import draft, make_effective, route, session

SHANGHAI = ZoneInfo("Asia/Shanghai")


def events(case, type_):
    return list(TimelineEvent.objects.filter(case=case, type=type_))


# --- sessions ---


def test_first_session_starts_mediation_and_records_who_took_part(routed_case, mediator):
    s = session(routed_case, mediator, other_participants="人社局 王科长")
    routed_case.refresh_from_db()
    assert routed_case.status == Status.IN_MEDIATION
    assert {p.name for p in s.parties.all()} == {"张三", "李四"}
    assert list(s.mediators.all()) == [mediator]
    assert s.other_participants == "人社局 王科长"
    [event] = events(routed_case, "session_recorded")
    assert event.actor == mediator and event.data["started_mediation"] is True


def test_several_sessions_per_case(mediating_case, mediator):
    session(mediating_case, mediator, mode="online", place="视频会议")
    assert MediationSession.objects.filter(case=mediating_case).count() == 2
    assert Case.objects.get(pk=mediating_case.pk).status == Status.IN_MEDIATION


def test_session_edits_are_on_the_timeline(mediating_case, mediator):
    s = mediating_case.sessions.get()
    services.update_session(s, actor=mediator, result="达成一致意见。", place="二楼调解室")
    s.refresh_from_db()
    assert s.result == "达成一致意见。"
    [event] = events(mediating_case, "session_updated")
    assert sorted(event.data["fields"]) == ["place", "result"] and event.actor == mediator
    with pytest.raises(DomainError):
        services.update_session(s, actor=mediator, result="达成一致意见。")


@pytest.mark.parametrize("persona", ["supervisor", "clerk", "other_mediator", "liaison"])
def test_only_the_case_mediators_record_sessions(request, routed_case, persona):
    with pytest.raises(NotAllowed):
        session(routed_case, request.getfixturevalue(persona))
    assert not MediationSession.objects.exists()
    assert Case.objects.get(pk=routed_case.pk).status == Status.ROUTED


def test_no_session_on_a_concluded_case(concluded_case, mediator):
    with pytest.raises(IllegalTransition):
        session(concluded_case, mediator)


# --- agreement ---


def test_agreement_takes_effect_with_the_last_signature_and_opens_the_30_day_window(mediating_case, mediator):
    agreement = draft(mediating_case, mediator)
    applicant, respondent = mediating_case.parties.order_by("role", "pk")
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False):
        services.sign_agreement(agreement, actor=mediator, parties=[applicant], mediator=True)
    agreement.refresh_from_db()
    assert agreement.effective_on is None and agreement.confirmation_deadline is None
    with time_machine.travel(datetime(2026, 3, 5, 9, tzinfo=SHANGHAI), tick=False):
        services.sign_agreement(agreement, actor=mediator, parties=[respondent], seal=True)
    agreement.refresh_from_db()
    assert agreement.effective_on == date(2026, 3, 5)
    # 30 days end on Sat 4 April, inside the 2026 Qingming holiday (4–6 April): art. 85 moves the
    # last day to the next working day, Tue 7 April.
    assert agreement.confirmation_deadline == date(2026, 4, 7)
    assert agreement.confirmation_days_left(date(2026, 3, 25)) == 13
    assert agreement.confirmation_days_left(date(2026, 4, 9)) == -2
    assert [e.type for e in mediating_case.events.filter(type__startswith="agreement_").order_by("pk")] == [
        "agreement_drafted",
        "agreement_signed",
        "agreement_effective",
    ]
    effective = events(mediating_case, "agreement_effective")[0]
    assert effective.data["confirmation_deadline"] == "2026-04-07" and effective.is_public


def test_agreement_is_not_effective_without_the_seal(mediating_case, mediator):
    agreement = draft(mediating_case, mediator)
    services.sign_agreement(
        agreement, actor=mediator, parties=list(mediating_case.parties.all()), mediator=True
    )
    agreement.refresh_from_db()
    assert not agreement.is_effective


@pytest.mark.django_db
def test_confirmation_window_follows_the_setting(mediating_case, mediator, settings):
    settings.JUDICIAL_CONFIRMATION_DAYS = 15
    agreement = make_effective(mediating_case, mediator)
    from cases.core.workcalendar import WorkCalendar

    assert agreement.confirmation_deadline == WorkCalendar().add_calendar_days(agreement.effective_on, 15)
    assert agreement.confirmation_deadline >= agreement.effective_on + timedelta(days=15)


def test_revising_a_draft_clears_signatures_and_replaces_terms(mediating_case, mediator):
    agreement = draft(mediating_case, mediator)
    services.sign_agreement(
        agreement, actor=mediator, parties=list(mediating_case.parties.all()[:1]), seal=True
    )
    revised = draft(mediating_case, mediator, terms=[services.TermData("一次性支付三万元", "银行转账")])
    assert revised.pk == agreement.pk
    revised.refresh_from_db()
    assert revised.sealed_at is None and not revised.signatures.exists()
    assert [t.content for t in revised.terms.all()] == ["一次性支付三万元"]
    assert len(events(mediating_case, "agreement_updated")) == 1


def test_an_effective_agreement_is_not_signed_again(mediating_case, mediator):
    agreement = make_effective(mediating_case, mediator)
    with pytest.raises(IllegalTransition):
        services.sign_agreement(agreement, actor=mediator, seal=True)


def test_agreement_needs_terms_with_performance(mediating_case, mediator):
    with pytest.raises(DomainError):
        draft(mediating_case, mediator, terms=[services.TermData("支付一万元", "")])
    with pytest.raises(DomainError):
        draft(mediating_case, mediator, terms=[services.TermData("", "")])


# --- conclusions ---


def test_written_agreement_needs_an_effective_agreement(mediating_case, mediator):
    draft(mediating_case, mediator)
    with pytest.raises(DomainError) as excinfo:
        services.conclude_case(mediating_case, actor=mediator, outcome="written_agreement")
    assert "尚未生效" in str(excinfo.value.message)
    assert Case.objects.get(pk=mediating_case.pk).status == Status.IN_MEDIATION


def test_oral_agreement_is_recorded_with_its_content(mediating_case, mediator):
    services.conclude_case(
        mediating_case, actor=mediator, outcome="oral_agreement", oral_content="当场退还押金五百元。"
    )
    case = Case.objects.get(pk=mediating_case.pk)
    assert case.status == Status.CONCLUDED and case.outcome == "oral_agreement"
    assert OralAgreement.objects.get(case=case).content == "当场退还押金五百元。"


def test_failed_mediation_issues_a_termination_notice_with_routes(failed_case):
    notice = TerminationNotice.objects.get(case=failed_case)
    assert notice.route_labels() == ["申请仲裁", "向人民法院提起诉讼"]
    assert failed_case.outcome == "failed" and failed_case.outcome_reason == "被申请人不同意任何支付方案。"
    [event] = events(failed_case, "concluded")
    assert event.data["reason"] == "被申请人不同意任何支付方案。" and event.data["routes"] == [
        "arbitration",
        "court",
    ]


def test_failed_mediation_must_tell_the_routes(mediating_case, mediator):
    with pytest.raises(DomainError):
        services.conclude_case(mediating_case, actor=mediator, outcome="failed", reason="无法达成一致")
    assert not TerminationNotice.objects.exists()


@pytest.mark.parametrize("outcome", ["refused", "withdrawn", "transferred"])
def test_other_ends_need_a_reason_and_may_come_before_mediation(routed_case, mediator, outcome):
    with pytest.raises(DomainError):
        services.conclude_case(routed_case, actor=mediator, outcome=outcome, reason=" ")
    services.conclude_case(routed_case, actor=mediator, outcome=outcome, reason="当事人书面说明。")
    case = Case.objects.get(pk=routed_case.pk)
    assert (case.status, case.outcome) == (Status.CONCLUDED, outcome)


def test_not_accepted_with_reason(make_case, clerk):
    case = services.conclude_case(
        make_case(), actor=clerk, outcome="not_accepted", reason="不属于人民调解范围。"
    )
    assert case.status == Status.NOT_ACCEPTED
    [event] = events(case, "not_accepted")
    assert event.data["reason"] == "不属于人民调解范围。" and event.actor == clerk


def test_only_the_case_mediator_concludes(mediating_case, supervisor):
    with pytest.raises(NotAllowed):
        services.conclude_case(mediating_case, actor=supervisor, outcome="withdrawn", reason="撤回")


# --- evaluation and closing ---


def test_closing_without_evaluation_is_refused(concluded_case, mediator):
    with pytest.raises(IllegalTransition) as excinfo:
        services.close_case(concluded_case, actor=mediator, summary="结案")
    assert "评估" in str(excinfo.value.message)
    assert Case.objects.get(pk=concluded_case.pk).status == Status.CONCLUDED
    assert not FollowUpVisit.objects.exists()


def test_center_may_waive_evaluation(concluded_case, mediator, world):
    world.county.require_evaluation = False
    world.county.save()
    case = services.close_case(concluded_case, actor=mediator, summary="结案")
    assert case.status == Status.CLOSED


def test_mediators_do_not_evaluate_supervisors_and_designated_reviewers_do(
    concluded_case, mediator, supervisor, clerk
):
    kwargs = {"outcome_correct": True, "documents_complete": False, "on_time": True, "comment": "卷宗缺回执"}
    with pytest.raises(NotAllowed):
        services.evaluate_case(concluded_case, actor=mediator, **kwargs)
    with pytest.raises(NotAllowed):
        services.designate_reviewer(concluded_case, actor=mediator, reviewer=clerk)
    services.designate_reviewer(concluded_case, actor=supervisor, reviewer=clerk)
    evaluation = services.evaluate_case(concluded_case, actor=clerk, **kwargs)
    assert evaluation.evaluator == clerk and evaluation.documents_complete is False
    assert Case.objects.get(pk=concluded_case.pk).status == Status.EVALUATED


def test_closing_records_the_closing_facts(evaluated_case, mediator):
    case = services.close_case(
        evaluated_case,
        actor=mediator,
        summary="双方达成协议。",
        money_covered=Decimal("30000"),
        prevented_criminal=True,
        prevented_group_petition=True,
    )
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.closed_at is not None
    assert (
        case.money_covered == Decimal("30000.00")
        and case.prevented_criminal
        and case.prevented_group_petition
    )
    [event] = events(case, "closed")
    assert event.data["money_covered"] == "30000" and event.is_public


# --- follow-ups ---


def test_closing_schedules_visits_after_closing_and_before_each_term_deadline(
    mediating_case, mediator, supervisor
):
    today = timezone.localdate()
    make_effective(
        mediating_case,
        mediator,
        terms=[
            services.TermData("支付两万元", "银行转账", today + timedelta(days=20)),
            services.TermData("支付一万元", "现金", today + timedelta(days=1)),
            services.TermData("赔礼道歉", "当面"),
        ],
    )
    services.conclude_case(mediating_case, actor=mediator, outcome="written_agreement")
    services.evaluate_case(
        mediating_case,
        actor=supervisor,
        outcome_correct=True,
        documents_complete=True,
        on_time=True,
        comment="好",
    )
    services.close_case(mediating_case, actor=mediator, summary="结案")
    visits = list(FollowUpVisit.objects.filter(case=mediating_case).order_by("due_on", "reason"))
    assert [(v.reason, v.due_on) for v in visits] == [
        ("term_deadline", today),  # deadline tomorrow: visit as soon as possible
        ("after_closing", today + timedelta(days=7)),
        ("term_deadline", today + timedelta(days=17)),
    ]


def test_visit_intervals_are_settings(evaluated_case, mediator, settings):
    settings.FOLLOW_UP_AFTER_CLOSING_DAYS = 10
    settings.FOLLOW_UP_BEFORE_TERM_DAYS = 5
    services.close_case(evaluated_case, actor=mediator, summary="结案")
    dues = sorted(v.due_on for v in FollowUpVisit.objects.filter(case=evaluated_case))
    today = timezone.localdate()
    assert dues == [today + timedelta(days=10), today + timedelta(days=15), today + timedelta(days=35)]


def test_a_visit_records_how_it_went(closed_case, mediator):
    visit = closed_case.follow_ups.get(reason="after_closing")
    applicant = closed_case.parties.get(role="applicant")
    services.record_follow_up(
        visit,
        actor=mediator,
        method="phone",
        performance="performing",
        satisfaction=4,
        notes="已收到第一笔款。",
        party=applicant,
    )
    visit.refresh_from_db()
    assert visit.visitor == mediator and visit.get_satisfaction_display() == "满意"
    assert visit.party == applicant and visit.get_method_display() == "电话回访"
    assert Case.objects.get(pk=closed_case.pk).status == Status.CLOSED
    with pytest.raises(IllegalTransition):
        services.record_follow_up(
            visit, actor=mediator, method="phone", performance="performed", satisfaction=5
        )


def test_a_visit_finding_the_agreement_broken_reopens_the_case(closed_case, mediator):
    visit = closed_case.follow_ups.get(reason="after_closing")
    with pytest.raises(DomainError):  # only a broken agreement reopens
        services.record_follow_up(
            visit,
            actor=mediator,
            method="phone",
            performance="performing",
            satisfaction=3,
            reopen=True,
            reopen_reason="x",
        )
    services.record_follow_up(
        visit,
        actor=mediator,
        method="in_person",
        performance="broken",
        satisfaction=1,
        reopen=True,
        reopen_reason="被申请人拒绝支付第一期款项。",
    )
    case = Case.objects.get(pk=closed_case.pk)
    assert case.status == Status.IN_MEDIATION and case.outcome == "" and case.closed_at is None
    assert list(case.follow_ups.values_list("pk", flat=True)) == [visit.pk]  # pending visits dropped
    [event] = events(case, "follow_up_reopened")
    assert event.data["reason"] == "被申请人拒绝支付第一期款项。"


def test_supervisor_reopens_with_a_reason(closed_case, supervisor, mediator):
    with pytest.raises(NotAllowed):
        services.reopen_case(closed_case, actor=mediator, reason="当事人反悔")
    with pytest.raises(DomainError):
        services.reopen_case(closed_case, actor=supervisor, reason="")
    case = services.reopen_case(closed_case, actor=supervisor, reason="当事人反悔，申请重新调解。")
    assert case.status == Status.IN_MEDIATION
    with pytest.raises(IllegalTransition):  # already back in mediation: nothing to reopen
        services.reopen_case(case, actor=supervisor, reason="再次")
    [event] = events(case, "reopened")
    assert event.actor == supervisor and event.data["previous_outcome"] == "written_agreement"
    # the reopened case can be mediated and closed again
    session(case, mediator)
    make_effective(case, mediator)
    services.conclude_case(case, actor=mediator, outcome="written_agreement")
    assert Case.objects.get(pk=case.pk).status == Status.CONCLUDED


def test_overdue_visits_are_listed_for_supervisors_and_mediators(
    closed_case, supervisor, mediator, clerk, other_mediator
):
    later = timezone.localdate() + timedelta(days=8)
    assert not overdue_follow_ups_for(supervisor)
    overdue = list(overdue_follow_ups_for(supervisor, today=later))
    assert [v.reason for v in overdue] == ["after_closing"]
    assert list(overdue_follow_ups_for(mediator, today=later)) == overdue
    assert not overdue_follow_ups_for(clerk, today=later)
    assert not overdue_follow_ups_for(other_mediator, today=later)


# --- timeline completeness ---


def _count(case):
    # A warning-level change that a service causes is its own event, recorded by the rule (actor: system).
    return TimelineEvent.objects.filter(case=case).exclude(type="warning_level_changed").count()


def test_every_lifecycle_service_writes_exactly_one_event(make_case, world, mediator, supervisor, clerk):
    case = route(make_case(), world.channels["specialist"])
    steps = [
        lambda: session(case, mediator),
        lambda: services.update_session(case.sessions.get(), actor=mediator, result="改"),
        lambda: draft(case, mediator),
        lambda: draft(case, mediator),
        lambda: services.sign_agreement(services.current_agreement(case), actor=mediator, mediator=True),
        lambda: services.sign_agreement(
            services.current_agreement(case), actor=mediator, parties=list(case.parties.all()), seal=True
        ),
        lambda: services.conclude_case(case, actor=mediator, outcome="written_agreement"),
        lambda: services.designate_reviewer(case, actor=supervisor, reviewer=clerk),
        lambda: services.evaluate_case(
            case, actor=supervisor, outcome_correct=True, documents_complete=True, on_time=True, comment="好"
        ),
        lambda: services.close_case(case, actor=mediator, summary="结案"),
        lambda: services.record_follow_up(
            case.follow_ups.filter(visited_at__isnull=True).first(),
            actor=mediator,
            method="phone",
            performance="performing",
            satisfaction=5,
        ),
        lambda: services.record_follow_up(
            case.follow_ups.filter(visited_at__isnull=True).first(),
            actor=mediator,
            method="phone",
            performance="broken",
            satisfaction=2,
            reopen=True,
            reopen_reason="未付款",
        ),
        lambda: services.conclude_case(
            case, actor=mediator, outcome="failed", reason="不同意", routes=["court"]
        ),
        lambda: services.reopen_case(case, actor=supervisor, reason="复查"),
        lambda: services.conclude_case(
            case, actor=mediator, outcome="oral_agreement", oral_content="口头约定"
        ),
    ]
    for step in steps:
        before = _count(case)
        step()
        assert _count(case) == before + 1
    failing = [
        lambda: services.close_case(case, actor=mediator, summary="结案"),  # not evaluated
        lambda: services.reopen_case(case, actor=mediator, reason="x"),
        lambda: session(case, mediator),
    ]
    for step in failing:
        before = _count(case)
        with pytest.raises(DomainError):
            step()
        assert _count(case) == before
    assert all(e.actor_id for e in case.events.exclude(type__in=["registered", "warning_level_changed"]))
