"""The public directory and a party's request for a mediator, answered with a reason (issue 18 items 4, 7)."""

import pytest
from django.urls import reverse

from mediation_center.errors import DomainError
from mediators import services
from mediators.models import MediatorRequest
from routing.models import CaseAssignment


@pytest.fixture
def public_mediator(mediator, make_profile):
    return make_profile(
        mediator, types=["labour"], is_public=True, intro="十二年人民调解经验", expires_in=300
    )


@pytest.fixture
def hidden_mediator(mediator2, make_profile):
    return make_profile(mediator2, types=["labour"], is_public=False, intro="不公开的简介")


def test_directory_shows_public_profiles_only_and_filters(
    client, public_mediator, hidden_mediator, studio, world
):
    page = client.get(reverse("mediators:directory"))
    html = page.content.decode()
    assert page.status_code == 200 and "十二年人民调解经验" in html and "不公开的简介" not in html
    assert "言和调解工作室" in html
    family = client.get(reverse("mediators:directory"), {"specialty": studio.specialties.get().pk + 999})
    assert family.status_code == 400  # an unknown specialty is named as the error, not ignored
    village = client.get(reverse("mediators:directory"), {"level": 3}).content.decode()
    assert "十二年人民调解经验" not in village
    assert client.get(reverse("mediators:public_profile", args=[hidden_mediator.pk])).status_code == 404
    assert client.get(reverse("mediators:public_profile", args=[public_mediator.pk])).status_code == 200
    assert client.get(reverse("mediators:public_group", args=[studio.pk])).status_code == 200


def test_public_api_needs_no_sign_in_and_shows_public_fields_only(
    client, public_mediator, hidden_mediator, studio
):
    data = client.get(reverse("api-mediator-public")).json()
    names = [m["name"] for m in data["mediators"]]
    assert str(public_mediator) in names and str(hidden_mediator) not in names
    row = next(m for m in data["mediators"] if m["name"] == str(public_mediator))
    assert set(row) == {
        "id",
        "name",
        "kind",
        "centers",
        "specialties",
        "languages",
        "available_days",
        "available_hours",
        "intro",
    }
    assert "credentials" not in row and "RMTJ" not in str(data)
    assert client.get(reverse("api-mediator-profiles")).status_code in (
        401,
        403,
    )  # the staff list is not public


def test_party_asks_supervisor_declines_with_a_reason_the_party_sees(
    client, citizen, make_case, supervisor, public_mediator
):
    case = make_case()
    client.force_login(citizen)
    url = reverse("mediators:party_request", args=[case.tracking_code])
    assert client.post(url, {"target": f"p{public_mediator.pk}", "reason": ""}).status_code == 400
    assert client.post(url, {"target": f"p{public_mediator.pk}", "reason": "听说很有经验"}).status_code == 302
    request = MediatorRequest.objects.get(case=case)
    assert request.state == "pending" and request.requested_by == citizen
    asked = case.events.get(type="mediator_requested")
    assert asked.is_public and asked.actor == citizen
    assert client.post(url, {"target": f"p{public_mediator.pk}", "reason": "再申请"}).status_code == 400
    client.force_login(supervisor)
    queue = client.get(reverse("mediators:requests")).content.decode()
    assert case.number in queue and "听说很有经验" in queue
    client.post(
        reverse("mediators:decide", args=[request.pk]), {"accept": "0", "reason": "该调解员本周外出培训"}
    )
    request.refresh_from_db()
    assert request.state == "declined" and request.decided_by == supervisor
    declined = case.events.get(type="mediator_request_declined")
    assert declined.is_public and declined.data["reason"] == "该调解员本周外出培训"
    client.force_login(citizen)
    assert "该调解员本周外出培训" in client.get(url).content.decode()


def test_accepting_on_a_routed_case_assigns_the_mediator(
    routed_case, citizen, supervisor, mediator, public_mediator
):
    case = routed_case()
    request = services.request_mediator(case, actor=citizen, profile=public_mediator, reason="熟悉劳动法")
    services.decide_request(request, actor=supervisor, accept=True, reason="同意")
    assert CaseAssignment.objects.get(case=case, ended_at__isnull=True).mediator == mediator
    assert case.events.get(type="mediator_request_accepted").data["assigned"] is True
    with pytest.raises(DomainError, match="已答复"):
        services.decide_request(request, actor=supervisor, accept=False, reason="改主意")


def test_only_the_case_center_answers_and_others_get_404(
    client, login, make_case, citizen, supervisor, mediator, outsider, foreign_clerk, public_mediator, clerk
):
    case = make_case()
    request = services.request_mediator(case, actor=citizen, profile=public_mediator, reason="熟悉")
    for user in (outsider, foreign_clerk, mediator):
        login(user)
        assert client.post(
            reverse("mediators:decide", args=[request.pk]), {"accept": "1", "reason": "x"}
        ).status_code in (404,), user
        assert (
            client.post(
                reverse("api-mediator-request-decide", args=[request.pk]),
                {"accept": True, "reason": "x"},
                content_type="application/json",
            ).status_code
            == 404
        )
    request.refresh_from_db()
    assert request.state == "pending"
    login(clerk)  # the clerk of the case's center answers too, over the API
    answer = client.post(
        reverse("api-mediator-request-decide", args=[request.pk]),
        {"accept": True, "reason": "同意，分流后指派"},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["state"] == "accepted"


def test_a_case_in_mediation_cannot_be_asked_for_and_others_cases_404(
    client, citizen, routed_case, mediator, public_mediator, make_case
):
    from routing import services as routing
    from tests.factories import UserFactory

    case = routed_case()
    routing.claim_case(case, actor=mediator)
    with pytest.raises(DomainError, match="已进入调解"):
        services.request_mediator(case, actor=citizen, profile=public_mediator, reason="x")
    stranger = UserFactory(username="stranger", kind="citizen", phone="13700000000")
    client.force_login(stranger)
    assert client.get(reverse("mediators:party_request", args=[make_case().tracking_code])).status_code == 404


def test_the_portal_links_to_the_directory_and_the_request_page(client, citizen, make_case):
    case = make_case()
    assert reverse("mediators:directory") in client.get(reverse("portal:index")).content.decode()
    client.force_login(citizen)
    page = client.get(reverse("portal:case", args=[case.tracking_code])).content.decode()
    assert reverse("mediators:party_request", args=[case.tracking_code]) in page
