"""The real documents offered to parties on the status page."""

import io
import re

import pytest
from pypdf import PdfReader

from cases.models import Case


def _lookup(client, case, digits="8000"):
    return client.post(
        "/portal/status/", {"code": case.tracking_code, "phone_last4": digits}
    ).content.decode()


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.django_db
def test_a_party_downloads_the_acceptance_receipt(client, make_case):
    case = make_case()
    body = _lookup(client, case)
    link = re.search(r'href="(/portal/documents/[^"]+)" data-testid="document">受理回执', body).group(1)
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert case.number in text and case.tracking_code in text


@pytest.mark.django_db
def test_no_receipt_before_the_case_is_accepted(client, make_case):
    case = make_case()
    Case.objects.filter(pk=case.pk).update(status="submitted")
    assert "受理回执" not in _lookup(client, case)


@pytest.mark.django_db
def test_parties_get_the_effective_agreement_and_the_termination_notice(client, make_case, world, mediator):
    from cases.lifecycle.services import conclude_case
    from tests.cases.lifecycle_helpers import draft, make_effective, route, session

    case = route(make_case(), world.channels["specialist"])
    session(case, mediator)
    draft(case, mediator)
    assert "调解协议书" not in _lookup(client, case)  # a draft is not for the parties yet
    make_effective(case, mediator)
    body = _lookup(client, case)
    link = re.search(r'href="(/portal/documents/[^"]+)" data-testid="document">调解协议书', body).group(1)
    assert case.number in _pdf_text(client.get(link).content)

    other = route(make_case(), world.channels["specialist"])
    session(other, mediator)
    conclude_case(other, actor=mediator, outcome="failed", reason="双方差距过大", routes=["court"])
    body = _lookup(client, other)
    link = re.search(r'href="(/portal/documents/[^"]+)" data-testid="document">终止调解通知书', body).group(1)
    assert other.number in _pdf_text(client.get(link).content)
