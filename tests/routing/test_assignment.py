"""Claiming, assigning, co-mediators and recusal (信访工作条例 art. 28)."""

import pytest
from django.urls import reverse

from cases.models import Party, Status
from mediation_center.errors import NotAllowed
from routing import services
from routing.errors import AlreadyClaimed, MediatorConflict, RoutingError
from routing.models import CaseAssignment


def test_mediator_claims_from_channel_queue(login, mediator, case_in_queue):
    client = login(mediator)
    queue = client.get(reverse("routing:queue") + "?tab=channel").content.decode()
    assert case_in_queue.number in queue
    response = client.post(reverse("routing:claim", args=[case_in_queue.pk]))
    assert response.status_code == 302
    case_in_queue.refresh_from_db()
    assert case_in_queue.status == Status.IN_MEDIATION
    assignment = CaseAssignment.objects.get(case=case_in_queue)
    assert assignment.mediator == mediator and assignment.is_lead and assignment.how == "claim"
    assert case_in_queue.events.filter(type="claimed", actor=mediator).count() == 1
    assert case_in_queue.number not in client.get(reverse("routing:queue") + "?tab=channel").content.decode()
    assert case_in_queue.number in client.get(reverse("routing:queue")).content.decode()


def test_second_claim_by_the_channel_is_404_and_the_service_refuses(login, assigned_case, mediator2):
    # the claimed case has left the channel queue, so the other mediator no longer sees it (test_claim_access)
    response = login(mediator2).post(reverse("routing:claim", args=[assigned_case.pk]), follow=True)
    assert response.status_code == 404
    with pytest.raises(AlreadyClaimed) as err:
        services.claim_case(assigned_case, actor=mediator2)
    assert str(err.value.message) == "该案件已被其他调解员认领。"


def test_claim_api_conflict_shape(login, assigned_case, mediator, mediator2, other_mediator):
    response = login(mediator).post(reverse("api-case-claim", args=[assigned_case.pk]))
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "already_claimed",
        "message": "您已认领该案件。",
        "fields": {},
    }
    # mediators of the same or another channel learn nothing about the case
    assert login(mediator2).post(reverse("api-case-claim", args=[assigned_case.pk])).status_code == 404
    assert login(other_mediator).post(reverse("api-case-claim", args=[assigned_case.pk])).status_code == 404


def test_mediator_of_another_channel_cannot_claim(case_in_queue, other_mediator):
    with pytest.raises(NotAllowed):
        services.claim_case(case_in_queue, actor=other_mediator)


def test_supervisor_assigns_and_reassigns_with_reason(supervisor, mediator, mediator2, case_in_queue):
    with pytest.raises(RoutingError):
        services.assign_mediator(case_in_queue, actor=supervisor, mediator=mediator, reason=" ")
    services.assign_mediator(case_in_queue, actor=supervisor, mediator=mediator, reason="熟悉该企业")
    services.assign_mediator(case_in_queue, actor=supervisor, mediator=mediator2, reason="原调解员休假")
    active = CaseAssignment.objects.filter(case=case_in_queue, ended_at__isnull=True)
    assert [(a.mediator, a.is_lead) for a in active] == [(mediator2, True)]
    ended = CaseAssignment.objects.get(case=case_in_queue, mediator=mediator)
    assert ended.ended_at is not None and "原调解员休假" in ended.end_reason
    event = case_in_queue.events.filter(type="assigned").first()
    assert event.data["previous"] == "mediator" and event.data["reason"] == "原调解员休假"


def test_case_can_have_a_lead_and_co_mediators(supervisor, mediator, mediator2, assigned_case, login):
    services.assign_mediator(assigned_case, actor=supervisor, mediator=mediator2, reason="协助", lead=False)
    rows = list(CaseAssignment.objects.filter(case=assigned_case, ended_at__isnull=True))
    assert {(a.mediator.username, a.is_lead) for a in rows} == {("mediator", True), ("mediator2", False)}
    # the co-mediator now sees and may work the case
    assert login(mediator2).get(reverse("cases:detail", args=[assigned_case.pk])).status_code == 200
    with pytest.raises(RoutingError):
        services.assign_mediator(
            assigned_case, actor=supervisor, mediator=mediator2, reason="再次", lead=False
        )


def test_assign_page_requires_supervisor(login, mediator, assigned_case, supervisor, mediator2):
    assert login(mediator).get(reverse("routing:assign", args=[assigned_case.pk])).status_code == 403
    client = login(supervisor)
    response = client.post(
        reverse("routing:assign", args=[assigned_case.pk]),
        {"mediator": mediator2.pk, "lead": "1", "reason": ""},
    )
    assert response.status_code == 200 and "该字段是必填项" in response.content.decode()
    response = client.post(
        reverse("routing:assign", args=[assigned_case.pk]),
        {"mediator": mediator2.pk, "lead": "1", "reason": "改派"},
    )
    assert response.status_code == 302
    assert CaseAssignment.objects.get(case=assigned_case, ended_at__isnull=True).mediator == mediator2


def test_mediator_who_is_a_party_cannot_be_assigned_or_claim(make_case, clerk, supervisor, mediator):
    mediator.id_number = "11010519491231002X"  # the applicant's ID in make_case
    mediator.save()
    case = services.route_case(make_case(), actor=clerk)
    with pytest.raises(MediatorConflict) as err:
        services.assign_mediator(case, actor=supervisor, mediator=mediator, reason="x")
    assert "本人是本案当事人" in str(err.value.message)
    with pytest.raises(MediatorConflict):
        services.claim_case(case, actor=mediator)


def test_party_linked_user_must_recuse(make_case, clerk, mediator):
    case = services.route_case(make_case(), actor=clerk)
    Party.objects.filter(case=case, role=Party.Role.RESPONDENT).update(has_interest_user=mediator)
    with pytest.raises(MediatorConflict):
        services.claim_case(case, actor=mediator)


def test_recusal_ends_assignment_and_returns_case_to_queue(login, assigned_case, mediator, supervisor):
    client = login(mediator)
    response = client.post(reverse("routing:recuse", args=[assigned_case.pk]), {"reason": "与被申请人系亲属"})
    assert response.status_code == 302
    assigned_case.refresh_from_db()
    assert assigned_case.status == Status.ROUTED
    assert not CaseAssignment.objects.filter(case=assigned_case, ended_at__isnull=True).exists()
    event = assigned_case.events.get(type="recused")
    assert event.actor == mediator and event.data["reason"] == "与被申请人系亲属"
    # and they cannot take it back
    with pytest.raises(MediatorConflict):
        services.claim_case(assigned_case, actor=mediator)
    with pytest.raises(MediatorConflict):
        services.assign_mediator(assigned_case, actor=supervisor, mediator=mediator, reason="x")


def test_only_supervisor_declares_interest_for_someone_else(login, assigned_case, mediator, mediator2):
    url = reverse("routing:recuse", args=[assigned_case.pk]) + f"?user={mediator.pk}"
    assert login(mediator2).post(url, {"reason": "x", "user": mediator.pk}).status_code in (403, 404)


def test_lead_recusal_with_co_mediator_keeps_case_in_mediation(
    supervisor, mediator, mediator2, assigned_case
):
    services.assign_mediator(assigned_case, actor=supervisor, mediator=mediator2, reason="协助", lead=False)
    services.declare_interest(assigned_case, actor=supervisor, user=mediator, reason="与申请人系同学")
    assigned_case.refresh_from_db()
    assert assigned_case.status == Status.IN_MEDIATION
    assert [a.mediator for a in CaseAssignment.objects.filter(case=assigned_case, ended_at__isnull=True)] == [
        mediator2
    ]
    # the supervisor makes the co-mediator the lead
    services.assign_mediator(assigned_case, actor=supervisor, mediator=mediator2, reason="接任主办")
    assert CaseAssignment.objects.get(case=assigned_case, ended_at__isnull=True).is_lead
