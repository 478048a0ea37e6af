"""With the demo logins alone, a dispute registered at the town or at the village is worked from the
window to the follow-up visit (登记 → 分流 → 认领 → 调解 → 协议/结案 → 回访), through the real services."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Center, Membership, User
from cases.intake.services import CaseData, PartyData, register_case
from cases.lifecycle import services as lifecycle
from cases.models import Case, DisputeType, FollowUpVisit, Party, Satisfaction, Status
from routing.models import CaseAssignment
from routing.services import claim_case, route_case

# (clerk, mediator, center level, dispute type): the rules keep both disputes at their own level.
LEVELS = [
    ("town_clerk", "town_mediator", Center.Level.TOWN, "land_contracting"),
    ("village_clerk", "village_mediator", Center.Level.VILLAGE, "neighbour"),
]


@pytest.fixture
def demo(db, settings):
    settings.DEMO_BUILDERS = []  # the cases' own demo; each app's demo is tested in its tests
    call_command("load_demo", stdout=StringIO())


def user(username: str) -> User:
    return User.objects.get(username=username)


def test_every_level_has_a_clerk_and_a_mediator_the_town_a_supervisor_the_village_its_committee(demo):
    def posts(username):
        return {(m.role, m.center.level) for m in Membership.objects.filter(user__username=username)}

    assert posts("clerk") == {(Membership.Role.CLERK, Center.Level.COUNTY)}
    assert posts("mediator") == {(Membership.Role.MEDIATOR, Center.Level.COUNTY)}
    assert posts("town_clerk") == {(Membership.Role.CLERK, Center.Level.TOWN)}
    assert posts("town_mediator") == {(Membership.Role.MEDIATOR, Center.Level.TOWN)}
    assert posts("town_supervisor") == {(Membership.Role.SUPERVISOR, Center.Level.TOWN)}
    assert posts("village_clerk") == {(Membership.Role.CLERK, Center.Level.VILLAGE)}
    # The village center is the village's people's mediation committee: the mediator is its member.
    committee = Membership.objects.get(user__username="village_mediator").center
    assert committee.level == Center.Level.VILLAGE and committee.name.endswith("人民调解委员会")
    assert committee.parent == Membership.objects.get(user__username="town_supervisor").center


@pytest.mark.parametrize(("clerk_name", "mediator_name", "level", "type_code"), LEVELS)
def test_a_dispute_is_worked_from_the_window_to_the_visit_with_demo_logins(
    demo, client, clerk_name, mediator_name, level, type_code
):
    clerk, mediator, supervisor = user(clerk_name), user(mediator_name), user("town_supervisor")
    center = Membership.objects.get(user=clerk).center
    assert center.level == level

    case = register_case(
        center=center,
        actor=clerk,
        data=CaseData(
            dispute_type=DisputeType.objects.get(code=type_code),
            summary="演示流程：双方因宅前空地使用发生争执。",
            parties=[
                PartyData(role=Party.Role.APPLICANT, name="甲某", phone="13700000001"),
                PartyData(role=Party.Role.RESPONDENT, name="乙某", phone="13700000002"),
            ],
        ),
    )
    client.force_login(clerk)
    assert case.number in client.get(reverse("cases:intake-list")).content.decode()

    route_case(case, actor=clerk)  # the suggested route, unchanged
    case.refresh_from_db()
    assert case.status == Status.ROUTED and case.center == center  # 小事不出村、大事不出镇

    client.force_login(mediator)
    assert case.number in client.get(reverse("routing:queue") + "?tab=channel").content.decode()
    claim_case(case, actor=mediator)
    assert CaseAssignment.objects.get(case=case, ended_at__isnull=True).mediator == mediator

    parties = list(case.parties.all())
    lifecycle.record_session(
        case,
        actor=mediator,
        started_at=timezone.now() - timedelta(hours=1),
        mode="in_person",
        discussion="双方到场，同意各让一步。",
        parties=parties,
    )
    agreement = lifecycle.save_agreement(
        case,
        actor=mediator,
        facts="双方因宅前空地使用发生争执。",
        issues="空地的使用。",
        responsibilities="双方共同维护。",
        terms=[
            lifecycle.TermData("空地由双方轮流使用", "自行履行", timezone.localdate() + timedelta(days=30))
        ],
    )
    lifecycle.sign_agreement(agreement, actor=mediator, parties=parties, mediator=True, seal=True)
    lifecycle.conclude_case(case, actor=mediator, outcome="written_agreement")
    lifecycle.evaluate_case(
        case, actor=supervisor, outcome_correct=True, documents_complete=True, on_time=True, comment="好。"
    )
    lifecycle.close_case(case, actor=mediator, summary="达成书面协议。")
    visit = FollowUpVisit.objects.filter(case=case, visited_at__isnull=True).order_by("due_on").first()
    lifecycle.record_follow_up(
        visit,
        actor=mediator,
        method=FollowUpVisit.Method.PHONE,
        performance=FollowUpVisit.Performance.PERFORMING,
        satisfaction=Satisfaction.SATISFIED,
    )

    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.CLOSED and case.outcome == "written_agreement"
    assert list(case.events.order_by("pk").values_list("type", "actor__username")) == [
        ("registered", clerk_name),
        ("routed", clerk_name),
        ("claimed", mediator_name),
        ("session_recorded", mediator_name),
        ("agreement_drafted", mediator_name),
        ("agreement_effective", mediator_name),
        ("concluded", mediator_name),
        ("evaluated", "town_supervisor"),
        ("closed", mediator_name),
        ("follow_up_recorded", mediator_name),
    ]
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200 and "达成书面协议。" in page.content.decode()


def test_the_demo_has_a_closed_case_one_in_mediation_and_one_at_the_window_at_town_and_village(demo):
    for level in (Center.Level.TOWN, Center.Level.VILLAGE):
        cases = Case.objects.filter(center__level=level)
        assert cases.filter(status=Status.CLOSED, follow_ups__isnull=False).distinct().count() == 1
        assert cases.filter(status=Status.REGISTERED).count() == 1
        ongoing = cases.get(status=Status.IN_MEDIATION)
        assert ongoing.sessions.count() == 1
        assert (
            CaseAssignment.objects.get(case=ongoing).mediator.username
            == f"{Center.Level(level).name.lower()}_mediator"
        )
    village = Case.objects.get(center__level=Center.Level.VILLAGE, status=Status.CLOSED)
    assert village.follow_ups.filter(visitor__username="village_mediator").count() == 1
