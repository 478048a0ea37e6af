"""A citizen reaches only their own cases: pushed or typed ID numbers never link, checked ones do.

The attack (issue 13 item 1): one Open311 push carrying a victim's ID number with the attacker's phone
used to hand the attacker every case of the victim — its page, timeline, receipt, files and the right
to write in its conversation as that party.
"""

import re

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.intake.services import PartyData
from cases.models import Case, CaseMessage, Party, TimelineEvent
from cases.portal.services import post_case_message
from cases.portal.views import DOCUMENT_SALT
from tests.cases.open311_fixtures import make_system, push_body
from tests.conftest import VALID_ID

ATTACKER = "13500009999"
VICTIM = "13800138000"  # the applicant's phone of make_case's default parties
REQUESTS = reverse("open311-requests")


def sign_in(phone: str, sms_outbox, capture) -> Client:
    """Through the portal's own sign-in: the phone is proved by the SMS code."""
    client = Client()
    with capture(execute=True):
        client.post("/portal/sign-in/", {"action": "send", "phone": phone}, REMOTE_ADDR="10.7.0.1")
    code = re.search(r"验证码为 (\d{6})", sms_outbox[-1].text).group(1)
    response = client.post("/portal/sign-in/", {"action": "verify", "phone": phone, "code": code})
    assert response.status_code == 302
    return client


def document_links(page: str) -> list[dict]:
    """What each signed document link of a page names (tracking code and kind)."""
    prefix = reverse("portal:document", args=["TOKEN"]).split("TOKEN")[0]
    tokens = re.findall(re.escape(prefix) + r"([^/\"']+)/", page)
    return [signing.loads(token, salt=DOCUMENT_SALT) for token in tokens]


def push(token: str, parties: list[dict], external_id: str) -> Case:
    response = Client().post(
        REQUESTS,
        push_body(parties=parties, external_id=external_id),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(pk=response.json()[0]["service_request_id"])


def as_user(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def victim_case(make_case, citizen):
    """Registered at the window (the clerk saw the ID card), with a file in its conversation."""
    case = make_case()
    upload = SimpleUploadedFile("欠条.pdf", b"%PDF-1.4 victim", content_type="application/pdf")
    post_case_message(case, actor=citizen, body="欠条见附件", upload=upload)
    return case


@pytest.mark.django_db
def test_a_pushed_id_number_with_the_attackers_phone_reaches_none_of_the_victims_cases(
    world, victim_case, sms_outbox, django_capture_on_commit_callbacks
):
    _system, token = make_system(world.county)
    pushed = push(
        token,
        [{"role": "applicant", "name": "张三", "id_number": VALID_ID.lower(), "phone": ATTACKER}],
        "12345-attack-1",
    )
    assert pushed.parties.get().id_number == VALID_ID and pushed.parties.get().identity_verified_at is None

    attacker = sign_in(ATTACKER, sms_outbox, django_capture_on_commit_callbacks)
    mine = attacker.get("/portal/me/").content.decode()
    assert pushed.tracking_code in mine  # what they pushed with their own phone is theirs
    assert victim_case.tracking_code not in mine and victim_case.number not in mine
    assert "请携带身份证到中心窗口核验身份" in mine  # how the real owner of another phone's case gets it

    page = f"/portal/cases/{victim_case.tracking_code}/"
    assert attacker.get(page).status_code == 404  # the case, its timeline and its document links
    response = attacker.post(f"{page}messages/", {"body": "我是张三，请把调解改到明天"})
    assert response.status_code == 404
    assert list(CaseMessage.objects.filter(case=victim_case).values_list("body", flat=True)) == ["欠条见附件"]
    file_token = CaseMessage.objects.get(case=victim_case).attachment.token
    assert attacker.get(f"/portal/files/{file_token}/").status_code == 404
    assert attacker.post(f"{page}rating/", {"score": 1}).status_code == 404
    assert attacker.get(f"/portal/cases/{victim_case.tracking_code}/submitted/").status_code == 404

    # The receipt is offered only as a signed link on the party's pages: none the attacker reaches has it.
    # (The links are compared by what they sign, not as strings: a token made a second later differs.)
    own_page = attacker.get(f"/portal/cases/{pushed.tracking_code}/").content.decode()
    assert {"t": pushed.tracking_code, "k": "receipt"} in document_links(own_page)
    assert not [
        d for d in document_links(own_page) + document_links(mine) if d["t"] == victim_case.tracking_code
    ]
    assert victim_case.tracking_code not in own_page


@pytest.mark.django_db
def test_a_respondent_named_at_the_window_is_not_checked_in_person(
    make_case, victim_case, sms_outbox, django_capture_on_commit_callbacks
):
    # The attacker walks in as applicant and names the victim (ID number, attacker's phone) as respondent.
    make_case(
        parties=[
            PartyData(role=Party.Role.APPLICANT, name="李某", phone="13900000001"),
            PartyData(role=Party.Role.RESPONDENT, name="张三", id_number=VALID_ID, phone=ATTACKER),
        ]
    )
    assert not Party.objects.filter(phone=ATTACKER, identity_verified_at__isnull=False).exists()
    attacker = sign_in(ATTACKER, sms_outbox, django_capture_on_commit_callbacks)
    assert victim_case.tracking_code not in attacker.get("/portal/me/").content.decode()
    assert attacker.get(f"/portal/cases/{victim_case.tracking_code}/").status_code == 404


@pytest.mark.django_db
def test_own_phone_and_a_counter_checked_id_link_pushed_cases_too(
    world, make_case, sms_outbox, django_capture_on_commit_callbacks
):
    counter = make_case()  # applicant VALID_ID with VICTIM's phone, seen at the window
    applicant = counter.parties.get(role=Party.Role.APPLICANT)
    assert applicant.identity_verified_how == Party.IdentityCheck.COUNTER
    assert counter.events.get(type="registered").data["identity_verified"] == 1
    _system, token = make_system(world.county)
    # a hotline case naming the same person with an old phone
    hotline = push(
        token, [{"role": "applicant", "name": "张三", "id_number": VALID_ID, "phone": "13011112222"}], "h-1"
    )
    stranger = make_case(parties=[PartyData(role=Party.Role.APPLICANT, name="别人", phone="13099998888")])
    owner = sign_in(VICTIM, sms_outbox, django_capture_on_commit_callbacks)
    body = owner.get("/portal/me/").content.decode()
    assert counter.tracking_code in body and hotline.tracking_code in body
    assert stranger.tracking_code not in body
    assert owner.get(f"/portal/cases/{hotline.tracking_code}/").status_code == 200


@pytest.mark.django_db
def test_an_online_or_phoned_in_id_number_never_links(
    world, make_case, clerk, sms_outbox, django_capture_on_commit_callbacks
):
    counter = make_case(
        parties=[PartyData(role=Party.Role.APPLICANT, name="张三", id_number=VALID_ID, phone="13011112222")]
    )
    # a clerk types a phone call (来电) at the counter form: the caller was not seen
    make_case(
        source="phone",
        parties=[PartyData(role=Party.Role.APPLICANT, name="张三", id_number=VALID_ID, phone=ATTACKER)],
    )
    attacker = sign_in(ATTACKER, sms_outbox, django_capture_on_commit_callbacks)
    applied = attacker.post(
        "/portal/apply/",
        {
            "center": world.county.pk,
            "dispute_type": counter.dispute_type_id,
            "summary": "冒用身份申请",
            "claims": "查看对方案件",
            "applicant_name": "张三",
            "applicant_id_number": VALID_ID,
            "respondent_kind": "person",
            "respondent_name": "李四",
            "privacy_consent": "on",
        },
    )
    assert applied.status_code == 302
    assert attacker.post("/portal/apply/preview/").status_code == 302  # the preview confirmed
    assert Party.objects.filter(phone=ATTACKER, id_number=VALID_ID).count() == 2  # phoned in, online
    assert not Party.objects.filter(phone=ATTACKER, identity_verified_at__isnull=False).exists()
    assert counter.tracking_code not in attacker.get("/portal/me/").content.decode()
    assert attacker.get(f"/portal/cases/{counter.tracking_code}/").status_code == 404


@pytest.mark.django_db
def test_a_clerks_identity_check_links_the_id_and_is_on_the_timeline(
    world, make_case, clerk, sms_outbox, django_capture_on_commit_callbacks
):
    earlier = make_case(
        parties=[PartyData(role=Party.Role.APPLICANT, name="张三", id_number=VALID_ID, phone="13011112222")]
    )
    _system, token = make_system(world.county)
    pushed = push(
        token, [{"role": "applicant", "name": "张三", "id_number": VALID_ID, "phone": "13600007777"}], "g-1"
    )
    party = pushed.parties.get()
    person = sign_in("13600007777", sms_outbox, django_capture_on_commit_callbacks)
    assert person.get(f"/portal/cases/{earlier.tracking_code}/").status_code == 404

    staff = as_user(clerk)
    page = staff.get(f"/cases/{pushed.pk}/").content.decode()
    url = reverse("portal:staff_verify_identity", args=[pushed.pk, party.pk])
    assert "当事人身份核验" in page and f'action="{url}"' in page
    refused = staff.post(url, follow=True)  # the confirmation box left unticked
    assert "请先当面查验身份证件原件并勾选确认。" in refused.content.decode()
    party.refresh_from_db()
    assert party.identity_verified_at is None

    response = staff.post(url, {"confirm": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/cases/{pushed.pk}/#identity"
    body = response.content.decode()
    assert "已核验 张三 的身份。" in body and "工作人员核验身份" in body
    party.refresh_from_db()
    assert party.identity_verified_by == clerk and party.identity_verified_how == Party.IdentityCheck.CLERK
    event = TimelineEvent.objects.get(case=pushed, type="identity_verified")
    assert event.actor == clerk and event.data["party"] == party.pk and not event.is_public
    assert event.data["id_number"] == "110105********002X"  # masked on the timeline
    assert "核验身份" in body and "核验 张三 的身份证件" in body  # the timeline row on the case page

    assert person.get(f"/portal/cases/{earlier.tracking_code}/").status_code == 200
    again = staff.post(url, {"confirm": "on"}, follow=True)
    assert "该当事人的身份已核验。" in again.content.decode()
    assert TimelineEvent.objects.filter(case=pushed, type="identity_verified").count() == 1


@pytest.mark.django_db
def test_identity_check_page_access(world, make_case, clerk, supervisor, outsider, foreign_clerk):
    case = make_case(parties=[PartyData(role=Party.Role.APPLICANT, name="张三", id_number=VALID_ID)])
    other = make_case()
    party = case.parties.get()
    url = reverse("portal:staff_verify_identity", args=[case.pk, party.pk])
    assert as_user(outsider).post(url, {"confirm": "on"}).status_code == 404
    assert as_user(foreign_clerk).post(url, {"confirm": "on"}).status_code == 404
    assert as_user(supervisor).post(url, {"confirm": "on"}).status_code == 403  # sees it, not the counter
    assert 'id="identity"' in as_user(supervisor).get(f"/cases/{case.pk}/").content.decode()
    assert "verify-identity" not in as_user(supervisor).get(f"/cases/{case.pk}/").content.decode()
    wrong_party = reverse("portal:staff_verify_identity", args=[other.pk, party.pk])
    assert as_user(clerk).post(wrong_party, {"confirm": "on"}).status_code == 404
    assert as_user(clerk).get(url).status_code == 405
    assert Client().post(url, {"confirm": "on"}).status_code == 302  # to the login page
    assert not TimelineEvent.objects.filter(type="identity_verified").exists()


@pytest.mark.django_db
def test_identity_check_api(world, make_case, clerk, supervisor, outsider, foreign_clerk):
    case = make_case(
        parties=[
            PartyData(role=Party.Role.RESPONDENT, name="张三", id_number=VALID_ID, phone="13600007777"),
            PartyData(role=Party.Role.RESPONDENT, name="某公司", kind=Party.Kind.LEGAL),
        ]
    )
    person, company = case.parties.order_by("pk")
    url = f"/api/cases/{case.pk}/parties/{person.pk}/verify-identity/"
    assert as_user(outsider).post(url).status_code == 404
    assert as_user(foreign_clerk).post(url).status_code == 404
    denied = as_user(supervisor).post(url)
    assert denied.status_code == 403 and set(denied.json()) == {"error"}
    assert as_user(clerk).get(url).status_code == 405
    assert (
        as_user(clerk).post(f"/api/cases/{case.pk}/parties/{person.pk + 999}/verify-identity/").status_code
        == 404
    )

    response = as_user(clerk).post(url)
    assert response.status_code == 200
    body = response.json()
    assert body["party"] == person.pk and body["identity_verified"] is True
    assert body["identity_verified_how"] == "clerk" and body["identity_verified_by"] == str(clerk)
    again = as_user(clerk).post(url)
    assert again.status_code == 409 and again.json()["error"]["message"] == "该当事人的身份已核验。"
    no_id = as_user(clerk).post(f"/api/cases/{case.pk}/parties/{company.pk}/verify-identity/")
    assert no_id.status_code == 409 and "未登记证件号码" in no_id.json()["error"]["message"]
    event = TimelineEvent.objects.get(case=case, type="identity_verified")
    assert event.actor == clerk and event.data["party"] == person.pk


@pytest.mark.django_db
def test_the_migration_checks_only_past_window_applicants(world, make_case, clerk):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("cases.migrations.0006_party_identity_verified")
    counter = make_case()  # applicant with an ID, respondent without
    named = make_case(parties=[PartyData(role=Party.Role.RESPONDENT, name="张三", id_number=VALID_ID)])
    _system, token = make_system(world.county)
    pushed = push(
        token, [{"role": "applicant", "name": "张三", "id_number": VALID_ID, "phone": ATTACKER}], "m-1"
    )
    phoned = make_case(source="phone")
    Party.objects.update(identity_verified_at=None, identity_verified_by=None, identity_verified_how="")
    migration.verify_counter_applicants(apps, None)
    checked = Party.objects.filter(identity_verified_at__isnull=False)
    assert list(checked.values_list("case_id", "role")) == [(counter.pk, Party.Role.APPLICANT)]
    applicant = checked.get()
    assert applicant.identity_verified_by == clerk and applicant.identity_verified_at == counter.created_at
    assert applicant.identity_verified_how == Party.IdentityCheck.COUNTER
    assert not Party.objects.filter(
        case__in=[named, pushed, phoned], identity_verified_at__isnull=False
    ).exists()
