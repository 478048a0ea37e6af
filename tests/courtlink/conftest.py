import pytest

from accounts import sms
from accounts.models import User
from cases.models import Source
from tests.cases.lifecycle_helpers import (  # noqa: F401
    concluded_case,
    draft,
    failed_case,
    make_effective,
    mediating_case,
    routed_case,
    session,
)
from tests.cases.open311_fixtures import make_system
from tests.factories import UserFactory


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "accounts.sms.LocMemSMSBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def zhang(world):
    """The applicant 张三 (13800138000) as a signed-in citizen."""
    return UserFactory(username="zhang", kind=User.Kind.CITIZEN, phone="13800138000")


@pytest.fixture
def stranger(world):
    """A citizen who is no party of the case."""
    return UserFactory(username="stranger", kind=User.Kind.CITIZEN, phone="13700001111")


@pytest.fixture
def court(world):
    """The county court's system: (system, token)."""
    return make_system(world.county, code="court", source=Source.COURT_REFERRAL)
