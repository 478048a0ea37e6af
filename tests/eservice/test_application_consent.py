"""A citizen applying online may consent to electronic service on the form (民诉法 art. 90): the consent is
recorded for the applicant party in the submission's transaction (method 在线申请时同意, the statement's hash,
a timeline event, an audit row), so the receipt can be served by SMS at once; unticked, nothing is recorded."""

import pytest

from accounts.models import SecurityAuditEvent
from cases.models import Case, Party, Status
from eservice.models import ServiceConsent
from eservice.services import statement_sha256
from tests.portal.test_online_application import PREVIEW, URL, form_data

pytestmark = pytest.mark.django_db


def _submitted():
    return Case.objects.get(status=Status.SUBMITTED, parties__name="王小明")


def test_a_ticked_box_records_the_applicants_consent(client, citizen, world):
    client.force_login(citizen)
    page = client.get(URL).content.decode()
    assert 'data-testid="service-consent"' in page and "首次打开文书的时间为送达时间" in page
    assert client.post(URL, form_data(world, service_consent="on"))["Location"] == PREVIEW
    assert "同意电子送达（短信链接）" in client.get(PREVIEW).content.decode()
    client.post(PREVIEW)
    case = _submitted()
    consent = ServiceConsent.objects.get(party__case=case)
    applicant = case.parties.get(role=Party.Role.APPLICANT)
    assert consent.party == applicant and consent.method == ServiceConsent.Method.ONLINE_APPLICATION
    assert consent.recorded_by == citizen and consent.phone == citizen.phone and consent.withdrawn_at is None
    assert consent.statement_sha256 == statement_sha256()
    assert case.events.filter(type="eservice_consent_given", actor=citizen).count() == 1
    assert SecurityAuditEvent.objects.filter(
        type=SecurityAuditEvent.Type.E_SERVICE, user=citizen, detail__action="consent_given"
    ).exists()


def test_unticked_records_nothing(client, citizen, world):
    client.force_login(citizen)
    client.post(URL, form_data(world))
    assert "纸质送达" in client.get(PREVIEW).content.decode()
    client.post(PREVIEW)
    assert not ServiceConsent.objects.filter(party__case=_submitted()).exists()


def test_a_citizen_cannot_record_consent_for_another_party_this_way(citizen, world, make_case):
    from eservice import services
    from mediation_center.errors import DomainError

    case = make_case()
    respondent = case.parties.exclude(phone=citizen.phone).first()
    with pytest.raises(DomainError):
        services.give_consent(
            case, party=respondent.pk, actor=citizen, method=ServiceConsent.Method.ONLINE_APPLICATION
        )
