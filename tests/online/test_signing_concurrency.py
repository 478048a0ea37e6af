"""Two taps of 确认并签字 at the same moment (two devices, the same code): one signature, one event."""

import re
import threading

import pytest
from django.db import connection

from accounts import sms
from cases.models import TimelineEvent
from mediation_center.errors import DomainError
from online import services
from online.documents import render_signing_pdf
from online.models import ElectronicSignature
from tests.cases.lifecycle_helpers import draft

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_code_tapped_twice_at_once_signs_once(mediating_case, mediator, zhang, settings):
    settings.SMS_BACKEND = "accounts.sms.LocMemSMSBackend"
    sms.outbox.clear()
    case = mediating_case
    agreement = draft(case, mediator)
    pdf, digest = render_signing_pdf(agreement)
    services.invite_to_sign(
        agreement, actor=mediator, parties=list(case.parties.all()), pdf=pdf, digest=digest
    )
    version = services.current_version(agreement)
    party = case.parties.get(name="张三")
    services.send_signing_code(version, party=party, citizen=zhang)
    code = re.search(r"验证码 (\d{6})", sms.outbox[-1].text).group(1)
    barrier = threading.Barrier(2)
    results = []

    def tap():
        try:
            barrier.wait()
            services.sign_electronically(version, party=party, citizen=zhang, code=code)
            results.append("ok")
        except DomainError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _unused in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    assert ElectronicSignature.objects.count() == 1
    assert TimelineEvent.objects.filter(case=case, type="online_e_signed").count() == 1
    sms.outbox.clear()
