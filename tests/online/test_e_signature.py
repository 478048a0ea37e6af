"""Electronic signature of the agreement: a one-time code to the phone on the party record, the exact PDF's
SHA-256, mixed paper and electronic signatures taking effect, a changed agreement voiding all of them, the
stamped PDF and its verification."""

import hashlib

import pytest
from django.urls import reverse

from accounts.models import SecurityAuditEvent
from cases.lifecycle import services as lifecycle
from cases.lifecycle.models import Agreement, AgreementSignature
from cases.models import Case, TimelineEvent
from online.models import ElectronicSignature, SigningVersion, StampedCopy
from tests.cases.lifecycle_helpers import draft
from tests.online.conftest import last_code, link_in

pytestmark = pytest.mark.django_db
capture = None


@pytest.fixture(autouse=True)
def _capture(django_capture_on_commit_callbacks):
    global capture
    capture = django_capture_on_commit_callbacks


def _invite(client, login, mediator, case):
    login(mediator)
    parties = [p.pk for p in case.parties.all()]
    with capture(execute=True):
        response = client.post(reverse("online:invite", args=[case.pk]), {"parties": parties})
    assert response.status_code == 302
    return response


def _sign(client, login, citizen, outbox, phone, *, code=None):
    """The party opens the SMS link, asks for a code and taps 确认并签字; returns the last response."""
    login(citizen)
    link = link_in(outbox, phone)
    page = client.get(link)
    assert page.status_code == 200
    assert "确认并签字" in page.content.decode()
    version = SigningVersion.objects.latest("pk")
    with capture(execute=True):
        sent = client.post(link, {"action": "send_code", "version": version.pk})
    assert sent.status_code == 302
    return client.post(
        link,
        {"action": "sign", "version": version.pk, "code": code or last_code(outbox, phone), "read": "on"},
    )


def test_two_parties_sign_electronically_and_the_mediator_completes_it(
    client, login, mediating_case, mediator, zhang, li, sms_outbox
):
    case = mediating_case
    agreement = draft(case, mediator)
    _invite(client, login, mediator, case)
    assert {m.phone for m in sms_outbox} == {"13800138000", "13912345678"}

    response = _sign(client, login, zhang, sms_outbox, "13800138000")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "您已电子签名" in page
    evidence = ElectronicSignature.objects.get(party__name="张三")
    assert evidence.verification_code in page
    version = evidence.version
    # The recorded hash is the SHA-256 of the exact PDF the party could open and read.
    pdf = client.get(reverse("online:sign_pdf", args=[link_in(sms_outbox, "13800138000").split("/")[3]]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert hashlib.sha256(pdf.content).hexdigest() == evidence.document_sha256 == version.sha256
    assert evidence.phone == "13800138000" and evidence.ip_address == "127.0.0.1"
    assert evidence.code.used_at is not None and evidence.code_verified_at is not None
    assert AgreementSignature.objects.get(party__name="张三").method == "electronic"

    response = _sign(client, login, li, sms_outbox, "13912345678")
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.signatures.count() == 2 and not agreement.is_effective

    # The mediator signs and seals on the case page's existing form: now it takes effect.
    lifecycle.sign_agreement(agreement, actor=mediator, mediator=True, seal=True)
    agreement.refresh_from_db()
    assert agreement.is_effective and agreement.confirmation_deadline is not None
    types = list(TimelineEvent.objects.filter(case=case).values_list("type", flat=True))
    assert types.count("online_e_signed") == 2 and "agreement_effective" in types
    audit = SecurityAuditEvent.objects.filter(type="otp", detail__action="e_sign_verify", success=True)
    assert audit.count() == 2

    # The stamped final PDF: both electronic signatures in it; its hash verifies on the public page.
    login(mediator)
    assert (
        client.get(reverse("online:staff_stamped_pdf", args=[case.pk])).status_code == 405
    )  # a GET changes nothing
    stamped = client.post(reverse("online:staff_stamped_pdf", args=[case.pk]))
    assert stamped.status_code == 200 and stamped.content.startswith(b"%PDF")
    copy = StampedCopy.objects.get()
    assert hashlib.sha256(stamped.content).hexdigest() == copy.sha256
    again = client.post(reverse("online:staff_stamped_pdf", args=[case.pk]))
    assert again.content == stamped.content and StampedCopy.objects.count() == 1

    client.logout()
    from django.core.files.uploadedfile import SimpleUploadedFile

    for content, expected in [(stamped.content, "签名版协议书"), (pdf.content, "当事人签署的协议文本")]:
        upload = SimpleUploadedFile("a.pdf", content, content_type="application/pdf")
        result = client.post(reverse("online:verify"), {"code": evidence.verification_code, "file": upload})
        html = result.content.decode()
        assert result.status_code == 200 and "文件一致" in html and expected in html
        assert "张*" in html and "李*" in html and "张三" not in html  # names masked
    tampered = SimpleUploadedFile("a.pdf", stamped.content + b"%", content_type="application/pdf")
    result = client.post(reverse("online:verify"), {"code": evidence.verification_code, "file": tampered})
    assert "文件不一致" in result.content.decode()


def test_last_electronic_signature_makes_it_effective_after_paper_mediator_and_seal(
    client, login, mediating_case, mediator, zhang, sms_outbox
):
    case = mediating_case
    agreement = draft(case, mediator)
    li_party = case.parties.get(name="李四")
    lifecycle.sign_agreement(agreement, actor=mediator, parties=[li_party], mediator=True, seal=True)
    _invite(client, login, mediator, case)
    assert {m.phone for m in sms_outbox} == {"13800138000"}  # 李四 has signed on paper already
    _sign(client, login, zhang, sms_outbox, "13800138000")
    agreement.refresh_from_db()
    assert agreement.is_effective
    assert set(agreement.signatures.values_list("method", flat=True)) == {"paper", "electronic"}
    event = TimelineEvent.objects.filter(case=case).latest("pk")
    assert event.type == "agreement_effective" and event.data["method"] == "electronic"
    assert TimelineEvent.objects.filter(case=case, type="agreement_effective").count() == 1
    assert Case.objects.get(pk=case.pk).status == "in_mediation"


def test_a_changed_agreement_voids_earlier_signatures(
    client, login, mediating_case, mediator, zhang, sms_outbox
):
    case = mediating_case
    agreement = draft(case, mediator)
    _invite(client, login, mediator, case)
    _sign(client, login, zhang, sms_outbox, "13800138000")
    first = ElectronicSignature.objects.get()
    old_pdf = bytes(first.version.pdf)

    # The mediator changes a term: every signature (paper, electronic, the mediator's) is void.
    lifecycle.save_agreement(
        case,
        actor=mediator,
        facts=agreement.facts,
        issues=agreement.issues,
        responsibilities=agreement.responsibilities,
        terms=[lifecycle.TermData("李四向张三支付工资人民币三万元", "银行转账")],
    )
    first.refresh_from_db()
    assert first.signature is None and not first.is_valid
    assert Agreement.objects.get(pk=agreement.pk).signatures.count() == 0

    # The party's page says so and offers the new text, with a new hash.
    login(zhang)
    link = link_in(sms_outbox, "13800138000")
    page = client.get(link).content.decode()
    assert "您此前的电子签名已作废" in page and "确认并签字" not in page
    assert SigningVersion.objects.count() == 1  # the GET changed nothing
    assert client.post(link, {"action": "prepare"}).status_code == 302
    new_version = SigningVersion.objects.latest("pk")
    assert new_version.pk != first.version_id and new_version.sha256 != first.version.sha256
    # A form still showing the old version cannot sign the new text.
    stale = client.post(link, {"action": "send_code", "version": first.version_id})
    assert stale.status_code == 302 and not ElectronicSignature.objects.filter(version=new_version).exists()

    # The verification page says the old signature was voided.
    client.logout()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.pdf", old_pdf, content_type="application/pdf")
    html = client.post(
        reverse("online:verify"), {"code": first.verification_code, "file": upload}
    ).content.decode()
    assert "文件一致" in html and "该签名已作废" in html

    # Signing the new version works and counts.
    response = _sign(client, login, zhang, sms_outbox, "13800138000")
    assert response.status_code == 302
    assert ElectronicSignature.objects.filter(version=new_version, signature__isnull=False).count() == 1


def test_wrong_code_is_refused_counted_and_audited(
    client, login, mediating_case, mediator, zhang, sms_outbox
):
    case = mediating_case
    draft(case, mediator)
    _invite(client, login, mediator, case)
    good = None
    response = _sign(client, login, zhang, sms_outbox, "13800138000", code="000000")
    good = last_code(sms_outbox, "13800138000")
    if good == "000000":  # one in a million: the "wrong" code was the right one
        pytest.skip("random code collided")
    assert response.status_code == 400
    assert "验证码不正确或已过期" in response.content.decode()
    assert not ElectronicSignature.objects.exists()
    assert SecurityAuditEvent.objects.filter(detail__action="e_sign_verify", success=False).count() == 1
    code_row = case.parties.get(name="张三")
    from online.models import SigningCode

    assert SigningCode.objects.get(party=code_row).attempts == 1


def test_links_are_bound_to_the_party_and_expire(
    client, login, mediating_case, mediator, zhang, li, sms_outbox, settings
):
    case = mediating_case
    draft(case, mediator)
    _invite(client, login, mediator, case)
    zhang_link = link_in(sms_outbox, "13800138000")
    # 李四 signed in, holding 张三's link: 404, as if it did not exist.
    login(li)
    assert client.get(zhang_link).status_code == 404
    assert client.get(zhang_link + "agreement.pdf").status_code == 404
    # A tampered token and an anonymous visitor.
    assert client.get(zhang_link[:-3] + "xx/").status_code == 404
    client.logout()
    anonymous = client.get(zhang_link)
    assert anonymous.status_code == 302 and "/portal/sign-in/" in anonymous["Location"]
    # Past its lifetime the link is dead.
    settings.ONLINE_SIGN_LINK_HOURS = 0
    login(zhang)
    assert client.get(zhang_link).status_code == 404


def test_staff_endpoints_allowed_read_only_and_outsider(
    client, login, mediating_case, mediator, clerk, outsider, foreign_clerk, sms_outbox
):
    case = mediating_case
    draft(case, mediator)
    body = {"parties": [p.pk for p in case.parties.all()]}
    login(outsider)
    assert client.post(reverse("online:invite", args=[case.pk]), body).status_code == 404
    assert client.post(reverse("online:staff_stamped_pdf", args=[case.pk])).status_code == 404
    login(foreign_clerk)
    assert client.post(reverse("online:invite", args=[case.pk]), body).status_code == 404
    login(clerk)  # sees the case, may not send for the mediator
    with capture(execute=True):
        response = client.post(reverse("online:invite", args=[case.pk]), body)
    assert response.status_code in (302, 403)
    assert not sms_outbox
    login(mediator)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "电子签署" in page and "发送签署链接" in page
    assert client.get(reverse("online:invite", args=[case.pk])).status_code == 405


def test_api_status_invitations_and_verification(
    client, login, mediating_case, mediator, clerk, outsider, zhang, sms_outbox
):
    case = mediating_case
    draft(case, mediator)
    status_url = reverse("api-online-signatures", args=[case.pk])
    invite_url = reverse("api-online-invitations", args=[case.pk])
    zhang_party = case.parties.get(name="张三")
    login(outsider)
    assert client.get(status_url).status_code == 404
    assert (
        client.post(invite_url, {"parties": [zhang_party.pk]}, content_type="application/json").status_code
        == 404
    )
    login(clerk)  # may see the case, not change it
    assert client.get(status_url).status_code == 200
    refused = client.post(invite_url, {"parties": [zhang_party.pk]}, content_type="application/json")
    assert refused.status_code == 403
    login(mediator)
    bad = client.post(invite_url, {"parties": "x"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["fields"]
    with capture(execute=True):
        sent = client.post(invite_url, {"parties": [zhang_party.pk]}, content_type="application/json")
    assert sent.status_code == 200 and sent.json() == {"invited": [zhang_party.pk]}
    assert [m.phone for m in sms_outbox] == ["13800138000"]
    _sign(client, login, zhang, sms_outbox, "13800138000")
    login(mediator)
    body = client.get(status_url).json()
    states = {row["name"]: row["state"] for row in body["parties"]}
    assert states == {"张三": "electronic", "李四": "unsigned"}
    evidence = ElectronicSignature.objects.get()
    assert body["signing_sha256"] == evidence.document_sha256

    client.logout()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.pdf", bytes(evidence.version.pdf), content_type="application/pdf")
    result = client.post(reverse("api-online-verify"), {"code": evidence.verification_code, "file": upload})
    assert result.status_code == 200
    data = result.json()
    assert data["matches"] and data["which"] == "signed" and data["valid"]
    assert [s["name"] for s in data["signers"]] == ["张*"]
    missing = client.post(reverse("api-online-verify"), {"code": evidence.verification_code})
    assert missing.status_code == 400


def test_signing_needs_the_reading_confirmation_and_a_code_only_once(
    client, login, mediating_case, mediator, zhang, li, sms_outbox
):
    case = mediating_case
    draft(case, mediator)
    _invite(client, login, mediator, case)
    login(zhang)
    link = link_in(sms_outbox, "13800138000")
    client.get(link)
    version = SigningVersion.objects.get()
    with capture(execute=True):
        client.post(link, {"action": "send_code", "version": version.pk})
    code = last_code(sms_outbox, "13800138000")
    unread = client.post(link, {"action": "sign", "version": version.pk, "code": code})
    assert unread.status_code == 400 and "请先阅读协议全文并勾选确认" in unread.content.decode()
    assert (
        client.post(link, {"action": "sign", "version": version.pk, "code": code, "read": "on"}).status_code
        == 302
    )
    # The same code again (a second tap) signs nothing twice.
    again = client.post(link, {"action": "sign", "version": version.pk, "code": code, "read": "on"})
    assert again.status_code == 400  # the code is spent
    assert ElectronicSignature.objects.count() == 1
    # The signer's list of agreements to sign no longer shows it; the other party's still does.
    mine = client.get(reverse("online:my_signing")).content.decode()
    assert 'data-testid="pending-count">0<' in mine and case.number not in mine
    login(li)
    listing = client.get(reverse("online:my_signing")).content.decode()
    assert case.number in listing and 'data-testid="pending-count">1<' in listing
