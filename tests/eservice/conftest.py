import re

from tests.cases.lifecycle_helpers import mediating_case, routed_case  # noqa: F401
from tests.online.conftest import li, sms_outbox, zhang  # noqa: F401


def service_link(outbox, phone: str) -> str:
    text = [m.text for m in outbox if m.phone == phone and "/portal/service/d/" in m.text][-1]
    return re.search(r"(/portal/service/d/[^/\s]+/)", text).group(1)
