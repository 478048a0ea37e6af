import pytest

from accounts import sms
from accounts.models import User
from cases.models import Status
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "accounts.sms.LocMemSMSBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def other_citizen(world):
    return UserFactory(username="other_citizen", kind=User.Kind.CITIZEN, phone="13700001111")


@pytest.fixture
def close(db):
    def _close(case):
        # The lifecycle is another area's; tests only need a case in the closed state.
        type(case).objects.filter(pk=case.pk).update(status=Status.CLOSED)
        case.refresh_from_db()
        return case

    return _close
