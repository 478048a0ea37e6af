"""查看完整证件号/电话: a user who may change the case reveals one party's full phone or ID number with a
reason; each reveal is written to the security audit and the case timeline; supervisors and admins list them.
Documents whose legal use needs full identity carry it for staff; the receipt and a party's copies stay masked."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import SecurityAuditEvent
from cases.core.events import SENSITIVE_REVEALED
from cases.core.models import TimelineEvent
from cases.documents.registry import Viewer, document_for
from tests.cases.lifecycle_helpers import *  # noqa: F403
from tests.cases.lifecycle_helpers import make_effective
from tests.conftest import VALID_ID

FULL_PHONE = "13800138000"


def text_of(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def applicant(case):
    return case.parties.get(name="张三")


def reveal(client, case, party, *, htmx=True, **data):
    body = {"field": "phone", "reason": "call", **data}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("cases:reveal_contact", args=[case.pk, party.pk]), body, headers=headers)


def test_the_case_page_masks_and_offers_the_reveal_to_its_mediator(login, mediating_case, mediator):
    page = login(mediator).get(reverse("cases:detail", args=[mediating_case.pk])).content.decode()
    assert FULL_PHONE not in page and VALID_ID not in page
    assert "138****8000" in page
    assert reverse("cases:reveal_contact", args=[mediating_case.pk, applicant(mediating_case).pk]) in page


def test_a_mediator_reveals_a_phone_with_a_reason_and_it_is_audited(login, mediating_case, mediator):
    party = applicant(mediating_case)
    response = reveal(login(mediator), mediating_case, party)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="tel:{FULL_PHONE}"' in body
    assert response["Cache-Control"] == "private, no-store"
    audit = SecurityAuditEvent.objects.get(type=SecurityAuditEvent.Type.REVEAL)
    assert audit.user == mediator and audit.success
    assert audit.detail == {
        "case": mediating_case.pk,
        "case_number": mediating_case.number,
        "center": mediating_case.center_id,
        "party": party.pk,
        "party_name": "张三",
        "field": "phone",
        "reason": "电话联系当事人",
    }
    event = TimelineEvent.objects.get(case=mediating_case, type=SENSITIVE_REVEALED.code)
    assert event.actor == mediator and not event.is_public
    assert event.data["field"] == "phone" and event.data["given_reason"] == "电话联系当事人"
    assert FULL_PHONE not in str(event.data) and FULL_PHONE not in str(audit.detail)
    assert abs(event.created_at - audit.created_at) < timedelta(seconds=5)


def test_an_id_number_with_a_typed_reason(login, mediating_case, mediator):
    response = reveal(
        login(mediator),
        mediating_case,
        applicant(mediating_case),
        field="id_number",
        reason="other",
        other="核对银行转账账户户名",
    )
    assert response.status_code == 200
    assert VALID_ID in response.content.decode() and "tel:" not in response.content.decode()
    assert SecurityAuditEvent.objects.get(type="reveal").detail["reason"] == "核对银行转账账户户名"


def test_without_javascript_the_reveal_answers_a_page(login, mediating_case, mediator):
    response = reveal(login(mediator), mediating_case, applicant(mediating_case), htmx=False)
    assert response.status_code == 200
    assert f'href="tel:{FULL_PHONE}"' in response.content.decode()
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [{"reason": "other", "other": "  "}, {"reason": "nonsense"}, {"field": "address"}, {"field": ""}],
)
def test_a_reveal_without_a_valid_field_or_reason_is_refused_and_not_audited(
    login, mediating_case, mediator, data
):
    response = reveal(login(mediator), mediating_case, applicant(mediating_case), **data)
    assert response.status_code == 400
    assert FULL_PHONE not in response.content.decode()
    assert 'data-testid="reveal-errors"' in response.content.decode()
    assert not SecurityAuditEvent.objects.filter(type="reveal").exists()
    assert not TimelineEvent.objects.filter(type=SENSITIVE_REVEALED.code).exists()


def test_a_number_not_registered_cannot_be_revealed(login, mediating_case, mediator):
    respondent = mediating_case.parties.get(name="李四")  # registered with a phone but no ID number
    assert not respondent.id_number
    response = reveal(login(mediator), mediating_case, respondent, field="id_number")
    assert response.status_code == 409
    assert not SecurityAuditEvent.objects.filter(type="reveal").exists()


def test_a_supervisor_of_the_center_may_reveal(login, mediating_case, supervisor):
    assert reveal(login(supervisor), mediating_case, applicant(mediating_case)).status_code == 200


def test_a_read_only_user_gets_403_and_no_reveal(login, mediating_case, clerk):
    # The registering clerk still sees the case once it is past intake, but no longer changes it.
    client = login(clerk)
    assert client.get(reverse("cases:detail", args=[mediating_case.pk])).status_code == 200
    page = client.get(reverse("cases:detail", args=[mediating_case.pk])).content.decode()
    assert 'data-testid="reveal"' not in page
    response = reveal(client, mediating_case, applicant(mediating_case))
    assert response.status_code == 403 and FULL_PHONE not in response.content.decode()
    assert not SecurityAuditEvent.objects.filter(type="reveal").exists()


@pytest.mark.parametrize("persona", ["other_mediator", "outsider", "liaison", "foreign_clerk"])
def test_who_may_not_see_the_case_gets_404(login, request, mediating_case, persona):
    response = reveal(login(request.getfixturevalue(persona)), mediating_case, applicant(mediating_case))
    assert response.status_code == 404
    assert not SecurityAuditEvent.objects.filter(type="reveal").exists()


def test_a_party_of_another_case_is_404(login, mediating_case, mediator, make_case):
    other = make_case()
    response = reveal(login(mediator), mediating_case, other.parties.first())
    assert response.status_code == 404


def test_get_is_405(login, mediating_case, mediator):
    url = reverse("cases:reveal_contact", args=[mediating_case.pk, applicant(mediating_case).pk])
    assert login(mediator).get(url).status_code == 405


def test_the_timeline_on_the_case_page_says_who_saw_what_and_why(login, mediating_case, mediator):
    client = login(mediator)
    reveal(client, mediating_case, applicant(mediating_case))
    page = client.get(reverse("cases:detail", args=[mediating_case.pk])).content.decode()
    assert 'data-event="sensitive_revealed"' in page
    assert "查看 张三 的联系电话：电话联系当事人" in page
    assert FULL_PHONE not in page  # the page itself stays masked after a reveal


# --- The list of reveals ------------------------------------------------------------------------------


@pytest.fixture
def revealed(login, mediating_case, mediator):
    client = login(mediator)
    reveal(client, mediating_case, applicant(mediating_case))
    reveal(client, mediating_case, applicant(mediating_case), field="id_number", reason="court")
    return mediating_case


def test_a_supervisor_lists_the_reveals_with_filters(login, revealed, supervisor, mediator):
    client = login(supervisor)
    url = reverse("cases:reveals")
    page = client.get(url).content.decode()
    assert page.count("data-reveal=") == 2
    assert revealed.number in page and "申请司法确认" in page and str(mediator) in page
    assert FULL_PHONE not in page and VALID_ID not in page
    assert client.get(url, {"field": "id_number"}).content.decode().count("data-reveal=") == 1
    assert client.get(url, {"actor": "nobody"}).content.decode().count("data-reveal=") == 0
    assert client.get(url, {"case_number": revealed.number}).content.decode().count("data-reveal=") == 2
    today = timezone.localdate()
    assert client.get(url, {"since": today, "until": today}).content.decode().count("data-reveal=") == 2
    assert client.get(url, {"until": today - timedelta(days=1)}).content.decode().count("data-reveal=") == 0


def test_bad_filters_are_400_with_a_message(login, revealed, supervisor):
    client = login(supervisor)
    response = client.get(reverse("cases:reveals"), {"since": "yesterday"})
    assert response.status_code == 400 and "有效" in response.content.decode()
    response = client.get(reverse("cases:reveals"), {"since": "2026-05-02", "until": "2026-05-01"})
    assert response.status_code == 400 and "截止日期不能早于起始日期" in response.content.decode()
    api = client.get(reverse("api-reveal-list"), {"field": "address"})
    assert api.status_code == 400 and "field" in api.json()["error"]["fields"]


@pytest.mark.parametrize("persona", ["mediator", "clerk", "liaison", "outsider", "other_mediator"])
def test_the_list_is_404_for_everyone_but_supervisors_and_admins(login, request, revealed, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("cases:reveals")).status_code == 404
    assert client.get(reverse("api-reveal-list")).status_code == 404


def test_an_admin_sees_the_reveals_of_their_centers(login, revealed, admin_user):
    assert login(admin_user).get(reverse("cases:reveals")).content.decode().count("data-reveal=") == 2


def test_a_supervisor_of_another_center_sees_none(login, revealed, world):
    from accounts.models import Membership
    from tests.factories import UserFactory

    other = UserFactory(username="far_supervisor")
    Membership.objects.create(user=other, center=world.other_county, role=Membership.Role.SUPERVISOR)
    assert login(other).get(reverse("cases:reveals")).content.decode().count("data-reveal=") == 0


def test_the_api_lists_the_same_rows(login, revealed, supervisor, mediator):
    response = login(supervisor).get(reverse("api-reveal-list"), {"field": "phone"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert row["actor"] == mediator.username and row["case_number"] == revealed.number
    assert row["party_name"] == "张三" and row["field"] == "phone" and row["reason"] == "电话联系当事人"
    assert FULL_PHONE not in response.content.decode()


def test_the_list_runs_a_fixed_number_of_queries(login, revealed, supervisor, mediator):
    def queries(expected_rows: int) -> int:
        client = login(supervisor)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).content.decode().count("data-reveal=") == expected_rows
        return len(captured.captured_queries)

    url = reverse("cases:reveals")
    few = queries(2)
    assert few <= 6
    for _ in range(5):
        reveal(login(mediator), revealed, applicant(revealed))
    assert queries(7) == few


# --- Documents -----------------------------------------------------------------------------------------


def test_the_staff_agreement_carries_full_identity_for_judicial_confirmation(login, mediating_case, mediator):
    make_effective(mediating_case, mediator)
    text = text_of(login(mediator).get(reverse("cases:agreement_pdf", args=[mediating_case.pk])).content)
    assert VALID_ID in text and FULL_PHONE in text


def test_a_partys_agreement_stays_masked(mediating_case, mediator):
    make_effective(mediating_case, mediator)
    document = document_for(mediating_case, Viewer.PARTY, "agreement")
    text = text_of(document.render_for(mediating_case, Viewer.PARTY))
    assert "人民调解协议书" in text
    assert VALID_ID not in text and FULL_PHONE not in text
    assert "110105********002X" in text


def test_the_case_file_carries_full_identity_and_the_receipt_stays_masked(login, closed_case, supervisor):
    client = login(supervisor)
    case_file = text_of(client.get(reverse("cases:case_file_pdf", args=[closed_case.pk])).content)
    assert VALID_ID in case_file and FULL_PHONE in case_file
    receipt = text_of(client.get(reverse("cases:intake-receipt", args=[closed_case.pk])).content)
    assert VALID_ID not in receipt and FULL_PHONE not in receipt
