"""The benchmark generator's mediator library: besides staff mediators, outside experts of every kind the
seed report names (三官一律, lawyers, 五老 and 乡贤), each with the specialties and credential of their kind,
in the town's 1+1+N team, recommended for the cases they know; a second run adds nothing."""

import pytest

from accounts.models import Membership
from bench.generate.mediators import generate_profiles
from cases.core.models import DisputeType
from mediators.models import GroupMember, MediationGroup, MediatorProfile
from mediators.ranking import recommend_mediators


def _experts(center):
    return {
        p.kind + "/" + p.credentials.get().kind: {t.name for t in p.specialties.all()}
        for p in MediatorProfile.objects.filter(outside_expert=True, centers=center)
    }


@pytest.mark.django_db
def test_outside_experts_of_every_kind_with_their_specialties_and_credentials(world, mediator):
    added = generate_profiles(seed=1)
    county = _experts(world.county)
    assert county["judge/other"] == {"合同", "婚姻家庭", "损害赔偿"}
    assert county["police/other"] == {"邻里", "道路交通事故", "损害赔偿"}
    assert county["lawyer/bar_licence"] == {"合同", "物业", "生产经营"}
    assert county["legal_aid/legal_aid"] == {"劳动争议", "婚姻家庭", "道路交通事故"}
    assert "prosecutor/other" in county and "specialist/professional" in county
    town = _experts(world.town)
    assert set(town) == {"wulao/mediator_cert", "xiangxian/mediator_cert"}
    experts = MediatorProfile.objects.filter(outside_expert=True)
    assert experts.count() == 7 * 2 + 2  # two counties, one town in this world
    assert not Membership.objects.filter(user__mediator_profile__in=experts).exists()  # accounts of their own
    assert all(p.intro and p.is_public for p in experts)
    team = MediationGroup.objects.get(center=world.town, kind="team")
    roles = set(GroupMember.objects.filter(group=team).values_list("profile__kind", "role"))
    assert ("xiangxian", "xiangxian") in roles and ("wulao", "member") in roles
    assert added == experts.count() + 1  # and the staff mediator
    assert generate_profiles(seed=1) == 0  # idempotent


@pytest.mark.django_db
def test_a_medical_case_is_recommended_the_doctor(world, mediator, make_case):
    generate_profiles(seed=1)
    case = make_case(center=world.county, dispute_type=DisputeType.objects.get(code="medical"))
    doctor = MediatorProfile.objects.get(
        outside_expert=True, centers=world.county, specialties__code="medical"
    )
    [first, *_rest] = recommend_mediators(case)
    assert first.profile == doctor
    assert any("擅长医疗" in reason for reason in first.reasons)
