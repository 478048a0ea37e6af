"""Recommendation that explains itself, and auto-assignment through the same ranking (issue 18 items 3, 6)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from cases.models import Case
from cases.portal.models import Rating
from mediators.models import GroupMember, MediationGroup
from mediators.ranking import rank_for_auto_assignment, recommend_mediators
from mediators.tracks import refresh_tracks
from routing import services as routing
from routing.models import CaseAssignment
from tests.conftest import _persona


@pytest.fixture
def four(world, mediator, mediator2, expert, make_profile):
    """A labour specialist, a generalist, one whose certificate expired, and one who declared an interest."""
    expired = _persona(world, "expired", Membership.Role.MEDIATOR, channel=world.channels["specialist"])
    conflicted = _persona(world, "conflicted", Membership.Role.MEDIATOR, channel=world.channels["specialist"])
    make_profile(mediator, types=["labour"], expires_in=400)
    make_profile(mediator2, types=["family"], expires_in=10)
    make_profile(expired, types=["labour"], expires_in=-1)
    make_profile(conflicted, types=["labour"])
    make_profile(expert, types=["labour"], centers=[world.other_county])  # serves another county only
    return {"expired": expired, "conflicted": conflicted}


def test_best_match_first_with_reasons_and_recusal_and_expiry_applied(
    routed_case, supervisor, mediator, mediator2, four
):
    case = routed_case()
    routing.declare_interest(case, actor=supervisor, user=four["conflicted"], reason="与申请人系亲属")
    ranked = recommend_mediators(case)
    assert [c.user for c in ranked] == [mediator, mediator2]
    best = ranked[0].reasons
    assert "擅长劳动争议" in best
    assert "服务本案承办中心（测试县矛调中心）" in best
    assert "当前在办0件" in best
    assert not any("擅长" in r for r in ranked[1].reasons)
    assert ranked[1].credential_warning.startswith("证书将于")


def test_load_and_track_record_move_the_ranking(routed_case, mediator, mediator2, make_profile):
    make_profile(mediator, types=["labour"])
    make_profile(mediator2, types=["labour"])
    for _ in range(3):
        routing.claim_case(routed_case(), actor=mediator)
    case = routed_case()
    ranked = recommend_mediators(case)
    assert [c.user for c in ranked] == [mediator2, mediator]
    assert "当前在办3件" in ranked[1].reasons


def test_auto_assignment_uses_the_ranking_and_skips_expired(
    make_case, clerk, world, mediator, mediator2, make_profile, settings
):
    channel = world.channels["specialist"]
    channel.auto_assign = True
    channel.save()
    make_profile(mediator, types=["labour"], expires_in=-5)
    make_profile(mediator2, types=["labour"])
    case = routing.route_case(make_case(), actor=clerk)
    lead = CaseAssignment.objects.get(case=case, is_lead=True, ended_at__isnull=True)
    assert lead.mediator == mediator2  # the expired certificate keeps mediator out though both are free
    reason = case.events.get(type="assigned").data["reason"]
    assert reason.startswith("渠道开启自动指派，按调解员推荐排序：") and "擅长劳动争议" in reason
    # The ranking function itself, as routing's hook calls it:
    assert [u for u, _ in rank_for_auto_assignment(case, [mediator, mediator2])] == [mediator2]


def test_recommendation_page_and_api_supervisor_only(
    login, client, routed_case, supervisor, mediator, outsider, mediator2, four, studio
):
    case = routed_case()
    login(supervisor)
    page = client.get(reverse("mediators:recommend", args=[case.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "擅长劳动争议" in html and "言和调解工作室" in html
    data = client.get(reverse("api-case-recommendations", args=[case.pk])).json()
    assert data["mediators"][0]["name"] == str(mediator) and "擅长劳动争议" in data["mediators"][0]["reasons"]
    assert data["groups"][0]["kind"] == "group"
    login(mediator)  # may see the channel's unclaimed case but not assign it
    assert client.get(reverse("mediators:recommend", args=[case.pk])).status_code == 403
    login(outsider)
    assert client.get(reverse("mediators:recommend", args=[case.pk])).status_code == 404
    assert client.get(reverse("api-case-recommendations", args=[case.pk])).status_code == 404


def test_recommendation_runs_a_fixed_number_of_queries(
    routed_case, world, make_profile, django_assert_num_queries
):
    case = routed_case()
    for i in range(12):
        user = _persona(world, f"m{i}", Membership.Role.MEDIATOR)
        make_profile(user, types=["labour"] if i % 2 else [], expires_in=100)
        if i < 3:  # a concluded case of the same type each, rated: the track record's two queries run
            done = routed_case()
            CaseAssignment.objects.create(case=done, mediator=user, is_lead=True, how="assign")
            Case.objects.filter(pk=done.pk).update(
                status="concluded", outcome="oral_agreement", concluded_at=timezone.now()
            )
            Rating.objects.create(case=done, party=done.parties.first(), score=4)
    # the profiles (with whether they take the case's type and channel); the centers of the case's chain they
    # serve; their credentials; who must recuse; and, once the sweep has refreshed the summaries, the
    # candidates' stored loads and track records with their pending marks, in one statement
    refresh_tracks()
    with django_assert_num_queries(5):
        ranked = recommend_mediators(case, limit=20)
    assert len(ranked) == 12 and sum(c.track.similar for c in ranked) == 3
    # a change not yet refreshed: that mediator is computed from the cases (their lead assignments, those of
    # their cases that are open or similar, the ratings of the similar ones), with the same figures
    Rating.objects.create(case=done, party=done.parties.last(), score=2)
    with django_assert_num_queries(8):
        live = recommend_mediators(case, limit=20)
    assert [c.track.figures() for c in live] != [c.track.figures() for c in ranked]
    refresh_tracks()
    assert [c.track.figures() for c in recommend_mediators(case, limit=20)] == [
        c.track.figures() for c in live
    ]


def test_the_case_page_links_the_supervisor_to_the_recommendations(login, client, routed_case, supervisor):
    case = routed_case()
    login(supervisor)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("mediators:recommend", args=[case.pk]) in page


def test_the_recommendation_page_costs_the_same_for_one_studio_or_three(
    login, client, routed_case, supervisor, world, studio, make_profile
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = routed_case()
    login(supervisor)
    url = reverse("mediators:recommend", args=[case.pk])
    client.get(url)  # the session, the work counts' cache
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    leads = []
    for n in range(2):
        team = MediationGroup.objects.create(
            kind=MediationGroup.Kind.TEAM, name=f"第{n + 1}调解团队", center=world.county
        )
        for i in range(3):
            member = _persona(world, f"team{n}m{i}", Membership.Role.MEDIATOR)
            GroupMember.objects.create(group=team, profile=make_profile(member), role="member")
            leads.append(member.pk)
    with CaptureQueriesContext(connection) as three:
        page = client.get(url).content.decode()
    assert len(three) == len(one)
    # every group's members are offered as its lead, under the group's name
    assert page.count("<optgroup") == 3 and 'label="第2调解团队"' in page
    assert all(f'<option value="{pk}">' in page for pk in leads)


def test_reasons_name_the_nearest_upper_center_the_channel_and_a_generalist(
    routed_case, world, mediator, mediator2, expert, make_profile
):
    case = routed_case()
    Case.objects.filter(pk=case.pk).update(center=world.village, channel=world.channels["specialist"])
    case = Case.objects.select_related("center", "dispute_type", "channel").get(pk=case.pk)
    generalist = make_profile(mediator, centers=[world.county])
    generalist.channels.set([world.channels["specialist"]])
    make_profile(mediator2, types=["family"], centers=[world.county, world.town])
    make_profile(expert, types=["labour"], centers=[world.other_county])  # not in the case's chain
    ranked = {c.user: c.reasons for c in recommend_mediators(case)}
    assert set(ranked) == {mediator, mediator2}
    assert (
        "综合调解，不限纠纷类型" in ranked[mediator] and "服务上级中心（测试县矛调中心）" in ranked[mediator]
    )
    assert f"属{world.channels['specialist'].name}渠道" in ranked[mediator]
    # the nearest of the centers above the case's that the mediator serves; a specialist in another type is
    # neither a match nor a generalist
    assert "服务上级中心（测试镇矛调中心）" in ranked[mediator2]
    assert not any(r.startswith(("擅长", "综合调解", "属")) for r in ranked[mediator2])
