import pytest

from accounts.models import Membership
from routing import services
from tests.conftest import _persona
from tests.factories import DepartmentFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Personas are many here; the production hasher's cost is not what these tests are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def routed_case(make_case, clerk):
    """A labour case routed as suggested: specialist channel at the county, 人社局 summoned."""

    def _make(**overrides):
        case = make_case(**overrides)
        return services.route_case(case, actor=clerk)

    return _make


@pytest.fixture
def case_in_queue(routed_case):
    return routed_case()


@pytest.fixture
def assigned_case(case_in_queue, mediator):
    services.claim_case(case_in_queue, actor=mediator)
    case_in_queue.refresh_from_db()
    return case_in_queue


@pytest.fixture
def mediator2(world):
    return _persona(world, "mediator2", Membership.Role.MEDIATOR, channel=world.channels["specialist"])


@pytest.fixture
def other_liaison(world):
    department = DepartmentFactory(center=world.county, name="市场监管局", code="market")
    return _persona(world, "other_liaison", Membership.Role.LIAISON, department=department)


@pytest.fixture
def foreign_supervisor(world):
    return _persona(world, "foreign_supervisor", Membership.Role.SUPERVISOR, center=world.other_county)


@pytest.fixture
def town_supervisor(world):
    return _persona(world, "town_supervisor", Membership.Role.SUPERVISOR, center=world.town)
