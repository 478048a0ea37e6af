import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Membership
from cases.core.models import DisputeType, Party
from cases.intake.services import CaseData, PartyData
from grassroots.models import GridArea
from tests.conftest import _persona

# A 1×1 PNG: a real image, so a browser and the type check take it as one.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def photo(name="现场.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def grid_area(world):
    return GridArea.objects.create(center=world.village, name="第一网格")


@pytest.fixture
def grid_worker(world, grid_area):
    user = _persona(world, "grid_worker", Membership.Role.GRID_WORKER, center=world.village)
    grid_area.workers.add(user)
    return user


@pytest.fixture
def other_grid_worker(world):
    return _persona(world, "other_grid_worker", Membership.Role.GRID_WORKER, center=world.village)


@pytest.fixture
def village_mediator(world):
    return _persona(world, "village_mediator", Membership.Role.MEDIATOR, center=world.village)


@pytest.fixture
def town_clerk(world):
    return _persona(world, "town_clerk", Membership.Role.CLERK, center=world.town)


@pytest.fixture
def village_clerk(world):
    return _persona(world, "village_clerk", Membership.Role.CLERK, center=world.village)


@pytest.fixture
def town_supervisor(world):
    return _persona(world, "town_supervisor", Membership.Role.SUPERVISOR, center=world.town)


def quick_data(**overrides) -> CaseData:
    values = {
        "dispute_type": DisputeType.objects.get(code="neighbour"),
        "summary": "邻里因排水沟堵塞争吵",
        "place": "东村三组",
        "parties": [
            PartyData(role=Party.Role.APPLICANT, name="王五", phone="13800138001"),
            PartyData(role=Party.Role.RESPONDENT, name="赵六", phone="13800138002"),
        ],
    }
    values.update(overrides)
    return CaseData(**values)
