"""Studios and 1+1+N teams take cases through per-case grants; an outside expert sees only their cases
(issue 18 items 1, 2)."""

import pytest
from django.urls import reverse

from cases.core.access import cases_visible_to
from mediation_center.errors import DomainError
from mediators import services
from mediators.models import GroupAssignment
from routing import services as routing
from routing.models import CaseAssignment


def test_a_case_given_to_a_studio_reaches_every_member_and_the_lead_queue(
    login, client, routed_case, supervisor, mediator, mediator2, expert, studio
):
    case = routed_case()
    other = routed_case()
    services.assign_case_to_group(case, actor=supervisor, group=studio, lead=mediator2, reason="律师主办")
    case.refresh_from_db()
    assert case.status == "in_mediation"
    assert CaseAssignment.objects.get(case=case, ended_at__isnull=True).mediator == mediator2
    event = case.events.get(type="group_assigned")
    assert event.actor == supervisor and event.data["lead"] == str(mediator2)
    assert set(event.data["members"]) == {str(mediator), str(mediator2), str(expert)}
    # The outside expert (no membership) sees this case and only this one.
    assert list(cases_visible_to(expert)) == [case]
    login(expert)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("cases:detail", args=[other.pk])).status_code == 404
    page = client.get(reverse("mediators:my_cases")).content.decode()
    assert case.number in page and other.number not in page
    # The lead's queue has it as any assigned case.
    login(mediator2)
    assert case.number in client.get(reverse("routing:queue")).content.decode()


def test_the_lead_must_be_a_member_and_recused_members_get_no_grant(
    routed_case, supervisor, mediator, mediator2, expert, studio, outsider
):
    case = routed_case()
    with pytest.raises(DomainError, match="主办人必须是言和调解工作室的成员"):
        services.assign_case_to_group(case, actor=supervisor, group=studio, lead=outsider, reason="x")
    routing.declare_interest(case, actor=supervisor, user=expert, reason="曾为被申请人诊治")
    services.assign_case_to_group(case, actor=supervisor, group=studio, lead=mediator, reason="工作室承办")
    assert case not in cases_visible_to(expert)
    assert case.events.get(type="group_assigned").data["recused"] == [str(expert)]
    assert sorted(GroupAssignment.objects.get(case=case).member_ids) == sorted([mediator.pk, mediator2.pk])


def test_only_the_supervisor_assigns_a_studio(login, client, routed_case, mediator, studio, outsider):
    case = routed_case()
    with pytest.raises(DomainError):
        services.assign_case_to_group(case, actor=mediator, group=studio, lead=mediator, reason="x")
    login(outsider)
    response = client.post(
        reverse("mediators:recommend", args=[case.pk]),
        {"group": studio.pk, "lead": mediator.pk, "reason": "x"},
    )
    assert response.status_code == 404
    assert not GroupAssignment.objects.exists()


def test_supervisor_assigns_through_the_page(login, client, routed_case, supervisor, mediator, studio):
    case = routed_case()
    login(supervisor)
    url = reverse("mediators:recommend", args=[case.pk])
    empty = client.post(url, {"group": studio.pk, "lead": mediator.pk, "reason": ""})
    assert empty.status_code == 400  # the reason is required: the form says so, nothing is written
    assert not GroupAssignment.objects.exists()
    done = client.post(url, {"group": studio.pk, "lead": mediator.pk, "reason": "工作室承办"})
    assert done.status_code == 302
    assert GroupAssignment.objects.get(case=case).lead == mediator


def test_library_pages_for_staff_404_for_outsiders_and_credential_flags(
    login, client, supervisor, mediator, mediator2, outsider, make_profile, studio
):
    mediator2.mediator_profile.delete()
    make_profile(mediator2, expires_in=12)
    login(supervisor)
    page = client.get(reverse("mediators:library")).content.decode()
    assert "证书到期提醒" in page and str(mediator2) in page and "30天内到期" in page
    assert client.get(reverse("mediators:group", args=[studio.pk])).status_code == 200
    assert client.get(reverse("mediators:profile", args=[mediator.mediator_profile.pk])).status_code == 200
    login(mediator)  # reads the library, gets no supervisor's flags
    assert "证书到期提醒" not in client.get(reverse("mediators:library")).content.decode()
    login(outsider)
    for url in (
        reverse("mediators:library"),
        reverse("mediators:group", args=[studio.pk]),
        reverse("mediators:profile", args=[mediator.mediator_profile.pk]),
        reverse("api-mediator-profiles"),
        reverse("api-mediator-groups"),
    ):
        assert client.get(url).status_code == 404, url


def test_admin_edits_profiles_with_credentials(login, client, admin_user, mediator, make_profile):
    profile = make_profile(mediator, expires_in=100)
    login(admin_user)
    assert client.get(reverse("admin:mediators_mediatorprofile_change", args=[profile.pk])).status_code == 200
    assert client.get(reverse("admin:mediators_mediationgroup_add")).status_code == 200
    assert client.get(reverse("admin:mediators_difficultyweight_changelist")).status_code == 200
