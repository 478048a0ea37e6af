from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership, User
from cases.models import DisputeType
from mediators.models import Credential, GroupMember, MediationGroup, MediatorProfile
from routing import services as routing
from tests.conftest import _persona
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_profile(world):
    def _make(
        user, *, kind=MediatorProfile.Kind.FULL_TIME, centers=None, types=(), expires_in=None, **fields
    ):
        profile = MediatorProfile.objects.create(user=user, kind=kind, **fields)
        profile.centers.set(centers or [world.county])
        profile.specialties.set(DisputeType.objects.filter(code__in=types))
        if expires_in is not None:
            Credential.objects.create(
                profile=profile,
                kind=Credential.Kind.MEDIATOR_CERTIFICATE,
                number=f"RMTJ-{user.pk}",
                expires_on=timezone.localdate() + timedelta(days=expires_in),
            )
        return profile

    return _make


@pytest.fixture
def expert(world):
    """An outside expert: an account of their own, no membership anywhere."""
    return UserFactory(username="expert", display_name="何医生", kind=User.Kind.STAFF)


@pytest.fixture
def mediator2(world):
    return _persona(world, "mediator2", Membership.Role.MEDIATOR, channel=world.channels["specialist"])


@pytest.fixture
def routed_case(make_case, clerk):
    def _make(**overrides):
        return routing.route_case(make_case(**overrides), actor=clerk)

    return _make


@pytest.fixture
def studio(world, mediator, mediator2, expert, make_profile):
    group = MediationGroup.objects.create(
        kind=MediationGroup.Kind.STUDIO, name="言和调解工作室", center=world.county
    )
    group.specialties.set(DisputeType.objects.filter(code="labour"))
    for user, role in [(mediator, "leader"), (mediator2, "lawyer"), (expert, "member")]:
        profile = getattr(user, "mediator_profile", None) or make_profile(user, is_public=True)
        GroupMember.objects.create(group=group, profile=profile, role=role)
    return group
