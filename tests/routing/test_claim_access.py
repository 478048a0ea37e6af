"""Claiming answers like every other endpoint: 404 for a case the user may not see, 403 for one they see
but may not claim; the holder of a claimed case is named only to those who may see it."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from cases.models import Status
from routing import services
from routing.access import get_case_for_claim
from routing.errors import AlreadyClaimed
from routing.models import CaseAssignment
from tests.conftest import _persona

HOLDER = "王主办"  # a display name no other persona's page can contain by accident
CLAIM_URLS = ["routing:claim", "api-case-claim"]


@pytest.fixture
def holder(world):
    user = _persona(world, "holder", Membership.Role.MEDIATOR, channel=world.channels["specialist"])
    user.display_name = HOLDER
    user.save(update_fields=["display_name"])
    return user


@pytest.fixture
def held_case(case_in_queue, holder):
    services.claim_case(case_in_queue, actor=holder)
    case_in_queue.refresh_from_db()
    return case_in_queue


@pytest.fixture
def mediating_supervisor(world):
    """A supervisor of the county who also mediates the specialist channel: sees every case of the county."""
    user = _persona(world, "mediating_supervisor", Membership.Role.SUPERVISOR)
    Membership.objects.create(
        user=user, center=world.county, role=Membership.Role.MEDIATOR, channel=world.channels["specialist"]
    )
    return user


def _claim(client, url_name, case):
    return client.post(reverse(url_name, args=[case.pk]))


def test_the_channels_mediator_claims_a_queued_case(login, mediator, case_in_queue):
    client = login(mediator)
    response = _claim(client, "routing:claim", case_in_queue)
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:detail", args=[case_in_queue.pk]
    )
    assert CaseAssignment.objects.get(case=case_in_queue, ended_at__isnull=True).mediator == mediator
    case_in_queue.refresh_from_db()
    assert case_in_queue.status == Status.IN_MEDIATION


def test_the_channels_mediator_claims_over_the_api(login, mediator, case_in_queue):
    response = _claim(login(mediator), "api-case-claim", case_in_queue)
    assert response.status_code == 201
    assert CaseAssignment.objects.get(case=case_in_queue, ended_at__isnull=True).mediator == mediator


@pytest.mark.parametrize("url_name", CLAIM_URLS)
def test_a_supervisor_who_sees_the_case_but_does_not_mediate_gets_403(
    login, supervisor, case_in_queue, url_name
):
    assert _claim(login(supervisor), url_name, case_in_queue).status_code == 403
    assert not CaseAssignment.objects.filter(case=case_in_queue).exists()


@pytest.mark.parametrize("url_name", CLAIM_URLS)
@pytest.mark.parametrize("persona", ["outsider", "other_mediator", "foreign_clerk", "liaison"])
def test_those_who_cannot_see_a_queued_case_get_404(request, login, case_in_queue, url_name, persona):
    response = _claim(login(request.getfixturevalue(persona)), url_name, case_in_queue)
    assert response.status_code == 404
    assert case_in_queue.number not in response.content.decode()
    assert not CaseAssignment.objects.filter(case=case_in_queue).exists()


@pytest.mark.parametrize("url_name", CLAIM_URLS)
def test_a_missing_case_and_a_case_held_by_another_answer_alike(login, mediator, held_case, url_name):
    """The same-channel mediator once learnt 409 "已由X认领" (existence, status and holder) from a claim."""
    client = login(mediator)
    held = client.post(reverse(url_name, args=[held_case.pk]), follow=True)
    missing = client.post(reverse(url_name, args=[held_case.pk + 10_000]), follow=True)
    assert held.status_code == missing.status_code == 404
    body = held.content.decode()
    assert HOLDER not in body and "认领" not in body and held_case.number not in body
    assert held_case.get_status_display() not in body
    if url_name.startswith("api-"):
        assert held.json() == missing.json()
    assert CaseAssignment.objects.get(case=held_case, ended_at__isnull=True).mediator.display_name == HOLDER


def test_the_held_case_is_hidden_from_the_channel_on_every_page(login, mediator, held_case):
    """The claim endpoints follow the access rules rather than bending them: the detail page agrees."""
    client = login(mediator)
    assert client.get(reverse("cases:detail", args=[held_case.pk])).status_code == 404
    assert held_case.number not in client.get(reverse("routing:queue") + "?tab=channel").content.decode()


@pytest.mark.parametrize("url_name", CLAIM_URLS)
def test_a_closed_unclaimed_case_of_the_channel_is_hidden_too(login, mediator, case_in_queue, url_name):
    type(case_in_queue).objects.filter(pk=case_in_queue.pk).update(status=Status.CLOSED)
    response = _claim(login(mediator), url_name, case_in_queue)
    assert response.status_code == 404
    assert "不能认领" not in response.content.decode()


@pytest.mark.parametrize("url_name", CLAIM_URLS)
def test_a_supervisor_who_mediates_is_told_who_holds_the_case(
    login, mediating_supervisor, held_case, url_name
):
    response = login(mediating_supervisor).post(reverse(url_name, args=[held_case.pk]), follow=True)
    if url_name.startswith("api-"):
        assert response.status_code == 409
        assert response.json()["error"]["message"] == f"认领失败：该案件已由{HOLDER}认领。"
    else:
        assert response.status_code == 200  # back on the queue with the message
        assert f"认领失败：该案件已由{HOLDER}认领。" in response.content.decode()


@pytest.mark.parametrize("url_name", CLAIM_URLS)
def test_claiming_by_get_is_405(login, mediator, case_in_queue, url_name):
    assert login(mediator).get(reverse(url_name, args=[case_in_queue.pk])).status_code == 405


def test_claiming_twice_says_so(login, mediator, case_in_queue):
    client = login(mediator)
    _claim(client, "routing:claim", case_in_queue)
    response = client.post(reverse("api-case-claim", args=[case_in_queue.pk]))
    assert response.status_code == 409 and response.json()["error"]["message"] == "您已认领该案件。"


# A race, played in order: both mediators passed the access check while the case was in the queue, then
# the holder's claim committed first. The loser no longer sees the case, so the winner is not named.


def test_the_loser_of_a_race_is_not_told_who_won(mediator, holder, case_in_queue):
    loser_case = get_case_for_claim(mediator, case_in_queue.pk)
    services.claim_case(get_case_for_claim(holder, case_in_queue.pk), actor=holder)
    with pytest.raises(AlreadyClaimed) as lost:
        services.claim_case(loser_case, actor=mediator)
    assert str(lost.value.message) == "该案件已被其他调解员认领。"
    assert HOLDER not in str(lost.value.message)


def test_the_loser_of_a_race_who_still_sees_the_case_is_told(mediating_supervisor, holder, case_in_queue):
    loser_case = get_case_for_claim(mediating_supervisor, case_in_queue.pk)
    services.claim_case(get_case_for_claim(holder, case_in_queue.pk), actor=holder)
    with pytest.raises(AlreadyClaimed) as lost:
        services.claim_case(loser_case, actor=mediating_supervisor)
    assert str(lost.value.message) == f"认领失败：该案件已由{HOLDER}认领。"


def test_the_loser_of_a_race_on_the_page_gets_the_queue_and_an_anonymous_message(
    login, mediator, holder, case_in_queue, monkeypatch
):
    """The page's access check runs before the winner commits (the claim is slipped in between)."""
    from routing import views

    real = views.get_case_for_claim

    def check_then_lose_the_race(user, pk):
        case = real(user, pk)
        services.claim_case(get_case_for_claim(holder, pk), actor=holder)
        return case

    monkeypatch.setattr(views, "get_case_for_claim", check_then_lose_the_race)
    response = login(mediator).post(reverse("routing:claim", args=[case_in_queue.pk]), follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("routing:queue") + "?tab=channel"
    assert "该案件已被其他调解员认领。" in body and HOLDER not in body
