"""Personas and shared fixtures.

Personas: clerk, mediator, other_mediator, liaison, supervisor, admin_user, citizen,
outsider (a staff user with no role), foreign_clerk (a clerk of another county).
"""

import os
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache

from accounts.models import Center, Department, Membership, User
from cases.models import DisputeType, Party
from cases.services.intake import CaseData, PartyData, register_case
from routing.models import Channel
from tests.factories import PASSWORD, CenterFactory, DepartmentFactory, MembershipFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"
VALID_ID = "11010519491231002X"


def _service_missing(marker: str) -> str | None:
    if marker == "postgres" and not settings.IS_POSTGRES:
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://..."
    if marker == "browser" and not os.path.exists("/usr/bin/chromium"):
        return "needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"
    if marker == "celery_live" and not settings.REDIS_URL:
        return "needs Redis as the Celery broker: set REDIS_URL"
    return None


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser", "celery_live"):
        if item.get_closest_marker(marker):
            reason = _service_missing(marker)
            if reason:
                if IN_CI:  # in CI every service must be there: a skip would hide a gap
                    pytest.fail(f"CI requires this test to run: {reason}")
                pytest.skip(reason)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield


@dataclass
class World:
    county: Center
    town: Center
    village: Center
    other_county: Center
    department: Department
    channels: dict


@pytest.fixture
def world(db) -> World:
    county = CenterFactory(name="测试县矛调中心", short_name="测试县")
    town = CenterFactory(name="测试镇矛调中心", short_name="测试镇", level=Center.Level.TOWN, parent=county)
    village = CenterFactory(name="测试村调委会", short_name="测试村", level=Center.Level.VILLAGE, parent=town)
    other = CenterFactory(name="外县矛调中心", short_name="外县")
    channels = {c.code: c for c in Channel.objects.all()}
    department = DepartmentFactory(center=county, name="人社局", code="hrss", channel=channels["specialist"])
    return World(county, town, village, other, department, channels)


def _persona(world: World, username: str, role: str | None, center=None, **membership) -> User:
    user = UserFactory(username=username, display_name=username)
    if role:
        MembershipFactory(user=user, center=center or world.county, role=role, **membership)
    return user


@pytest.fixture
def clerk(world):
    return _persona(world, "clerk", Membership.Role.CLERK)


@pytest.fixture
def mediator(world):
    return _persona(world, "mediator", Membership.Role.MEDIATOR, channel=world.channels["specialist"])


@pytest.fixture
def other_mediator(world):
    return _persona(world, "other_mediator", Membership.Role.MEDIATOR, channel=world.channels["police"])


@pytest.fixture
def liaison(world):
    return _persona(world, "liaison", Membership.Role.LIAISON, department=world.department)


@pytest.fixture
def supervisor(world):
    return _persona(world, "supervisor", Membership.Role.SUPERVISOR)


@pytest.fixture
def admin_user(world):
    user = _persona(world, "admin", Membership.Role.ADMIN)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def citizen(world):
    return UserFactory(username="citizen", kind=User.Kind.CITIZEN, phone="13800138000")


@pytest.fixture
def outsider(world):
    return _persona(world, "outsider", None)


@pytest.fixture
def foreign_clerk(world):
    return _persona(world, "foreign_clerk", Membership.Role.CLERK, center=world.other_county)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


def make_case_data(**overrides) -> CaseData:
    parties = overrides.pop("parties", None) or [
        PartyData(
            role=Party.Role.APPLICANT,
            name="张三",
            id_type=Party.IdType.RESIDENT_ID,
            id_number=VALID_ID,
            sex="F",
            phone="13800138000",
        ),
        PartyData(role=Party.Role.RESPONDENT, name="李四", phone="13912345678"),
    ]
    values = {
        "dispute_type": DisputeType.objects.get(code="labour"),
        "summary": "拖欠工资",
        "parties": parties,
    }
    values.update(overrides)
    return CaseData(**values)


@pytest.fixture
def make_case(world, clerk):
    def _make(center=None, actor=None, **overrides):
        return register_case(
            center=center or world.county, actor=actor or clerk, data=make_case_data(**overrides)
        )

    return _make
