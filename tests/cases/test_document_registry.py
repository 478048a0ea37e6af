"""One document registry: each document's availability for staff and for a party, the pages and downloads
that ask it, a fixed number of queries, and no template deciding availability on its own."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from cases.core.states import ACCEPTED_STATUSES, FINISHED_STATUSES
from cases.documents.registry import Papers, Viewer, all_documents, document_for, documents_for
from cases.intake.services import refuse_case, register_case
from cases.lifecycle.selectors import lifecycle_of
from cases.models import Case, Source, Status
from cases.portal.views import document_token
from tests.cases.lifecycle_helpers import *  # noqa: F403
from tests.cases.lifecycle_helpers import draft, make_effective
from tests.conftest import make_case_data

ROOT = Path(__file__).resolve().parents[2]
STAFF, PARTY = Viewer.STAFF, Viewer.PARTY


def available(case: Case, viewer: Viewer, kind: str) -> bool:
    case = Case.objects.get(pk=case.pk)  # as a request loads it
    document = next(d for d in all_documents() if d.kind == kind)
    return document.available(case, viewer, Papers(case))


@pytest.fixture
def submitted(world, citizen):
    return register_case(
        center=world.county, actor=citizen, data=make_case_data(source=Source.ONLINE), status=Status.SUBMITTED
    )


@pytest.fixture
def refused(make_case, clerk):
    """Accepted at the window, then refused: it had a receipt once, and now has a 不予受理 notice."""
    return refuse_case(make_case(), actor=clerk, reason="不属于人民调解受理范围")


def test_the_catalogue_declares_each_document_once():
    assert [d.kind for d in all_documents()] == [
        "receipt",
        "agreement",
        "termination_notice",
        "case_file",
        "confirmation_application",  # the court hand-off's (courtlink)
        "litigation_referral",
    ]
    assert ACCEPTED_STATUSES == tuple(s for s in Status if s not in (Status.SUBMITTED, Status.NOT_ACCEPTED))
    assert FINISHED_STATUSES == (Status.CONCLUDED, Status.EVALUATED, Status.CLOSED, Status.NOT_ACCEPTED)


@pytest.mark.parametrize("viewer", [STAFF, PARTY])
def test_receipt_once_accepted_and_never_for_a_refused_case(
    viewer, make_case, submitted, refused, closed_case, clerk
):
    assert available(make_case(), viewer, "receipt")
    assert available(closed_case, viewer, "receipt")
    assert not available(submitted, viewer, "receipt")
    assert not available(refused, viewer, "receipt")
    assert not available(refuse_case(submitted, actor=clerk, reason="重复申请"), viewer, "receipt")


def test_agreement_for_staff_from_the_draft(mediating_case, mediator):
    assert not available(mediating_case, STAFF, "agreement")
    draft(mediating_case, mediator)
    assert available(mediating_case, STAFF, "agreement")


def test_agreement_for_a_party_once_effective(mediating_case, mediator):
    assert not available(mediating_case, PARTY, "agreement")
    draft(mediating_case, mediator)
    assert not available(mediating_case, PARTY, "agreement")  # not signed and sealed yet
    make_effective(mediating_case, mediator)
    assert available(mediating_case, PARTY, "agreement")


@pytest.mark.parametrize("viewer", [STAFF, PARTY])
def test_termination_notice_once_mediation_is_terminated(viewer, mediating_case, failed_case):
    assert available(failed_case, viewer, "termination_notice")


@pytest.mark.parametrize("viewer", [STAFF, PARTY])
def test_no_termination_notice_while_mediating(viewer, mediating_case):
    assert not available(mediating_case, viewer, "termination_notice")


def test_no_case_file_while_mediating(mediating_case):
    assert not available(mediating_case, STAFF, "case_file")


def test_case_file_for_staff_once_handling_is_over(refused, closed_case):
    assert available(closed_case, STAFF, "case_file")
    assert available(refused, STAFF, "case_file")


def test_case_file_never_for_a_party(closed_case, refused):
    assert not available(closed_case, PARTY, "case_file")
    assert not available(refused, PARTY, "case_file")


# --- Pages and downloads ask the registry --------------------------------------------------------------
def test_a_refused_case_shows_and_serves_no_receipt(login, clerk, refused, submitted):
    client = login(clerk)
    receipt = reverse("cases:intake-receipt", args=[refused.pk])
    assert receipt not in client.get(reverse("cases:detail", args=[refused.pk])).content.decode()
    assert receipt not in client.get(reverse("cases:intake-registered", args=[refused.pk])).content.decode()
    assert client.get(receipt).status_code == 404
    assert client.get(reverse("cases:intake-receipt", args=[submitted.pk])).status_code == 404


def test_an_accepted_case_shows_its_receipt_on_every_staff_page(login, clerk, make_case, submitted):
    case = make_case()
    client = login(clerk)
    receipt = reverse("cases:intake-receipt", args=[case.pk])
    assert receipt in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert receipt in client.get(reverse("cases:intake-registered", args=[case.pk])).content.decode()
    window = client.get(reverse("cases:intake-list")).content.decode()
    assert receipt in window
    assert reverse("cases:intake-receipt", args=[submitted.pk]) not in window
    assert reverse("cases:intake-accept", args=[submitted.pk]) in window


def test_staff_downloads_keep_their_file_names(login, mediator, failed_case):
    client = login(mediator)
    receipt = client.get(reverse("cases:intake-receipt", args=[failed_case.pk]))
    assert receipt["Content-Disposition"] == f'inline; filename="receipt-{failed_case.pk}.pdf"'
    notice = client.get(reverse("cases:termination_notice_pdf", args=[failed_case.pk]))
    assert notice["Content-Disposition"] == f'inline; filename="termination-{failed_case.pk}.pdf"'
    assert "no-store" in notice["Cache-Control"]


def _portal_documents(client, case) -> list[str]:
    body = client.post(
        "/portal/status/", {"code": case.tracking_code, "phone_last4": "8000"}
    ).content.decode()
    return re.findall(r'data-testid="document">([^<（]+)（PDF）', body)


def test_the_portal_lists_and_serves_what_the_registry_gives_a_party(client, mediating_case, mediator):
    draft(mediating_case, mediator)
    assert _portal_documents(client, mediating_case) == ["受理回执"]  # the draft is not the parties' yet
    for kind in ("agreement", "case_file"):
        link = reverse("portal:document", args=[document_token(mediating_case, kind)])
        assert client.get(link).status_code == 404
    make_effective(mediating_case, mediator)
    assert _portal_documents(client, mediating_case) == ["受理回执", "调解协议书"]
    response = client.get(reverse("portal:document", args=[document_token(mediating_case, "agreement")]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert (
        response["Content-Disposition"] == f'inline; filename="agreement-{mediating_case.tracking_code}.pdf"'
    )


def test_the_portal_offers_a_refused_case_no_receipt(client, refused):
    assert _portal_documents(client, refused) == []
    link = reverse("portal:document", args=[document_token(refused, "receipt")])
    assert client.get(link).status_code == 404


# --- Fixed queries -------------------------------------------------------------------------------------
def test_a_page_with_its_lifecycle_loaded_asks_no_query(failed_case, django_assert_num_queries):
    case = Case.objects.select_related("center").get(pk=failed_case.pk)
    lifecycle = lifecycle_of(case)
    with django_assert_num_queries(0):
        documents = documents_for(case, STAFF, lifecycle=lifecycle)
    assert list(documents) == ["receipt", "termination_notice", "case_file", "litigation_referral"]


def test_the_court_documents_are_for_staff_once_the_agreement_took_effect_or_mediation_failed(
    mediating_case, mediator
):
    draft(mediating_case, mediator)
    assert not available(mediating_case, STAFF, "confirmation_application")
    make_effective(mediating_case, mediator)
    assert available(mediating_case, STAFF, "confirmation_application")
    assert not available(mediating_case, PARTY, "confirmation_application")
    assert not available(mediating_case, STAFF, "litigation_referral")


def test_the_litigation_referral_once_mediation_failed(failed_case):
    assert available(failed_case, STAFF, "litigation_referral")
    assert not available(failed_case, PARTY, "litigation_referral")


def test_each_fact_is_read_once_whatever_the_page_asks(closed_case, django_assert_num_queries):
    case = Case.objects.get(pk=closed_case.pk)
    with django_assert_num_queries(2):  # the current agreement and the latest notice, once each
        assert list(documents_for(case, PARTY)) == ["receipt", "agreement"]
    with django_assert_num_queries(0):
        documents_for(case, STAFF, kinds=("receipt",))
    with django_assert_num_queries(0):
        assert document_for(case, STAFF, "unknown") is None


# --- No template decides on its own ----------------------------------------------------------------------
TAG = re.compile(r"{%\s*(if|elif|else|endif|url)\b(.*?)%}", re.S)


def decisions_outside_the_registry(text: str, url_names: dict[str, str]) -> list[str]:
    """Each document link (``{% url %}`` of a registry document) whose enclosing conditions compare a status,
    or whose innermost condition does not read ``documents.<its kind>``."""
    found, stack = [], []
    for match in TAG.finditer(text):
        tag, rest = match.group(1), match.group(2).strip()
        if tag == "if":
            stack.append(rest)
        elif tag in ("elif", "else"):
            stack[-1] = f"{stack[-1]} / {tag} {rest}"
        elif tag == "endif":
            stack.pop()
        elif (name := rest.split()[0].strip("'\"")) in url_names:
            kind = url_names[name]
            if any(re.search(r"\bstatus\b", condition) for condition in stack):
                found.append(f"{name}: a status decides ({stack})")
            elif not stack or not re.search(rf"\bdocuments\.{kind}\b", stack[-1]):
                found.append(f"{name}: not under documents.{kind} ({stack})")
    return found


def _document_url_names() -> dict[str, str]:
    return {f"cases:{d.url_name}": d.kind for d in all_documents()}


def test_no_template_decides_document_availability():
    names = _document_url_names()
    found, links = {}, 0
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        links += sum(text.count(f"'{name}'") for name in names)
        if problems := decisions_outside_the_registry(text, names):
            found[path.relative_to(ROOT).as_posix()] = problems
    assert found == {}
    assert links >= 6  # the intake section, registration page, intake list and three lifecycle links


def test_the_template_guard_sees_a_status_rule():
    names = _document_url_names()
    by_status = """{% if case.status != "submitted" %}<a href="{% url 'cases:intake-receipt' case.pk %}">{% endif %}"""
    in_else = """{% if case.status == "submitted" %}accept{% else %}{% url 'cases:intake-receipt' case.pk %}{% endif %}"""
    bare = """<a href="{% url 'cases:case_file_pdf' case.pk %}">"""
    wrong = """{% if documents.agreement %}{% url 'cases:case_file_pdf' case.pk %}{% endif %}"""
    for text in (by_status, in_else, bare, wrong):
        assert decisions_outside_the_registry(text, names), text
    good = """{% if documents.receipt %}{% url 'cases:intake-receipt' case.pk %}{% endif %}"""
    assert decisions_outside_the_registry(good, names) == []
