from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from cases.core.access import can_see, cases_visible_to
from cases.core.models import Case
from cases.core.states import Outcome, Status
from cases.intake.selectors import intake_queue_for
from cases.intake.services import accept_case, refuse_case
from cases.lifecycle.models import FollowUpVisit, OralAgreement
from grassroots.models import Entry, LatentRisk, RiskEvent, ScreeningTask
from grassroots.services import (
    RiskData,
    close_risk,
    record_quick,
    report_dispute,
    report_risk,
    report_screening,
    schedule_round,
)
from mediation_center.errors import DomainError, NotAllowed

from .conftest import photo, quick_data

pytestmark = pytest.mark.django_db


def test_quick_record_is_a_closed_case_with_one_event_per_step(world, grid_worker, grid_area):
    entry = record_quick(
        actor=grid_worker,
        center=world.village,
        data=quick_data(),
        agreement="赵六当天疏通水沟",
        photos=[photo()],
    )
    case = Case.objects.get(pk=entry.case_id)
    assert case.number.startswith(f"({timezone.localdate().year})测试村")
    assert case.status == Status.CLOSED and case.outcome == Outcome.ORAL_AGREEMENT
    assert case.center == world.village and case.registered_by == grid_worker
    assert OralAgreement.objects.get(case=case).content == "赵六当天疏通水沟"
    steps = list(
        case.events.exclude(type="warning_level_changed").order_by("pk").values_list("type", flat=True)
    )
    assert steps == ["registered", "routed", "grassroots_on_spot", "session_recorded", "concluded", "closed"]
    assert all(e.actor_id == grid_worker.pk for e in case.events.all())
    visit = FollowUpVisit.objects.get(case=case)
    assert visit.due_on == timezone.localdate() + timedelta(days=settings.FOLLOW_UP_AFTER_CLOSING_DAYS)
    assert case.attachments.count() == 1
    assert entry.kind == Entry.Kind.QUICK_RECORD and entry.grid_area == grid_area
    assert case.events.get(type="closed").data["evaluation_waived"]


def test_quick_record_resend_with_the_same_token_changes_nothing(world, grid_worker):
    first = record_quick(
        actor=grid_worker, center=world.village, data=quick_data(), agreement="当场和解", client_token="abc-1"
    )
    again = record_quick(
        actor=grid_worker, center=world.village, data=quick_data(), agreement="当场和解", client_token="abc-1"
    )
    assert first.pk == again.pk and Case.objects.count() == 1


def test_quick_record_needs_the_agreement_and_a_front_line_role(world, grid_worker, mediator):
    with pytest.raises(DomainError, match="协议内容"):
        record_quick(actor=grid_worker, center=world.village, data=quick_data(), agreement="  ")
    with pytest.raises(NotAllowed):  # a county mediator records at the counter, not on the spot
        record_quick(actor=mediator, center=world.county, data=quick_data(), agreement="和解")
    with pytest.raises(NotAllowed):  # and never at a village that is not theirs
        record_quick(actor=grid_worker, center=world.town, data=quick_data(), agreement="和解")
    assert Case.objects.count() == 0


def test_a_bad_photo_is_refused_and_nothing_is_written(world, grid_worker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(DomainError, match="文件类型不允许"):
        record_quick(
            actor=grid_worker, center=world.village, data=quick_data(), agreement="和解", photos=[bad]
        )
    assert Case.objects.count() == 0


def test_village_mediator_may_record_too(world, village_mediator):
    entry = record_quick(actor=village_mediator, center=world.village, data=quick_data(), agreement="和解")
    assert entry.case.status == Status.CLOSED


def test_report_lands_in_the_town_intake_list_and_is_accepted_or_refused(world, grid_worker, town_clerk):
    entry = report_dispute(actor=grid_worker, center=world.village, to_center=world.town, data=quick_data())
    case = entry.case
    assert case.status == Status.SUBMITTED and case.center == world.town
    assert list(intake_queue_for(town_clerk)) == [case]
    accept_case(case, actor=town_clerk)
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED
    other = report_dispute(actor=grid_worker, center=world.village, to_center=world.town, data=quick_data())
    refuse_case(other.case, actor=town_clerk, reason="不属于人民调解范围")
    assert Case.objects.get(pk=other.case.pk).outcome_reason == "不属于人民调解范围"


def test_report_cannot_skip_to_the_county(world, grid_worker):
    with pytest.raises(DomainError, match="上一级"):
        report_dispute(actor=grid_worker, center=world.village, to_center=world.county, data=quick_data())


def test_grid_worker_sees_only_own_and_assigned_cases(world, grid_worker, other_grid_worker, make_case):
    mine = record_quick(actor=grid_worker, center=world.village, data=quick_data(), agreement="和解").case
    theirs = record_quick(
        actor=other_grid_worker, center=world.village, data=quick_data(), agreement="和解"
    ).case
    village_case = make_case(center=world.village)
    assert set(cases_visible_to(grid_worker)) == {mine}
    assert not can_see(grid_worker, theirs) and not can_see(grid_worker, village_case)


def test_quick_records_are_visible_to_the_village_and_the_town(
    world, grid_worker, village_clerk, town_supervisor
):
    case = record_quick(actor=grid_worker, center=world.village, data=quick_data(), agreement="和解").case
    assert can_see(village_clerk, case) and can_see(town_supervisor, case)


def test_latent_risk_is_reported_and_closed_with_a_conclusion(
    world, grid_worker, town_supervisor, supervisor
):
    risk = report_risk(
        actor=grid_worker,
        center=world.village,
        data=RiskData(summary="工地下月发薪，工人六十余名", place="东村工业园", level=2, people_count=60),
        photos=[photo()],
    )
    assert risk.status == LatentRisk.Status.OPEN and risk.photos.count() == 1
    with pytest.raises(NotAllowed):
        close_risk(risk, actor=grid_worker, conclusion="已发")
    with pytest.raises(DomainError, match="结论"):
        close_risk(risk, actor=town_supervisor, conclusion="")
    close_risk(risk, actor=town_supervisor, conclusion="工资已按时发放")
    risk.refresh_from_db()
    assert risk.status == LatentRisk.Status.CLOSED and risk.closed_by == town_supervisor
    assert list(RiskEvent.objects.filter(risk=risk).values_list("type", "actor")) == [
        ("reported", grid_worker.pk),
        ("closed", town_supervisor.pk),
    ]


def test_screening_round_reported_nothing_found_or_findings(world, town_supervisor, village_clerk, outsider):
    round_ = schedule_round(
        actor=town_supervisor,
        center=world.town,
        title="春节前欠薪专项排查",
        kind="topic",
        due_on=timezone.localdate() + timedelta(days=7),
        checklist="在建工地工资发放\n外来务工人员集中点",
        assignees=[world.village],
    )
    task = round_.tasks.get()
    with pytest.raises(NotAllowed):
        report_screening(task, actor=outsider)
    report_screening(task, actor=village_clerk, findings=["某工地尚欠两月工资"])
    task.refresh_from_db()
    assert task.status == ScreeningTask.Status.FOUND and task.findings == ["某工地尚欠两月工资"]
    with pytest.raises(DomainError):
        report_screening(task, actor=village_clerk)


def test_a_department_reports_its_round_through_its_liaison(world, supervisor, liaison, village_clerk):
    round_ = schedule_round(
        actor=supervisor,
        center=world.county,
        title="月度排查",
        kind="monthly",
        due_on=timezone.localdate(),
        checklist="欠薪线索",
        departments=[world.department],
    )
    task = round_.tasks.get()
    assert task.department == world.department
    with pytest.raises(NotAllowed):
        report_screening(task, actor=village_clerk)
    report_screening(task, actor=liaison)
    task.refresh_from_db()
    assert task.status == ScreeningTask.Status.NOTHING_FOUND and task.reported_by == liaison


def test_a_round_outside_the_supervisors_area_is_refused(world, town_supervisor):
    with pytest.raises(NotAllowed):
        schedule_round(
            actor=town_supervisor,
            center=world.county,
            title="越级",
            kind="monthly",
            due_on=timezone.localdate(),
            checklist="x",
            assignees=[world.village],
        )
