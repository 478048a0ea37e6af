import re

import pytest

from accounts import sms
from accounts.models import User
from tests.cases.lifecycle_helpers import draft, mediating_case, routed_case, session  # noqa: F401
from tests.factories import UserFactory


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "accounts.sms.LocMemSMSBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def last_code(outbox, phone: str) -> str:
    text = [m.text for m in outbox if m.phone == phone and "验证码" in m.text][-1]
    return re.search(r"验证码 (\d{6})", text).group(1)


def link_in(outbox, phone: str) -> str:
    text = [m.text for m in outbox if m.phone == phone and "/online/sign/" in m.text][-1]
    return re.search(r"(/online/sign/[^/\s]+/)", text).group(1)


@pytest.fixture
def zhang(world):
    """The applicant 张三 (13800138000) as a signed-in citizen would be."""
    return UserFactory(username="zhang", kind=User.Kind.CITIZEN, phone="13800138000")


@pytest.fixture
def li(world):
    """The respondent 李四 (13912345678)."""
    return UserFactory(username="li", kind=User.Kind.CITIZEN, phone="13912345678")
