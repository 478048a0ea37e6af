"""Hand-offs to the court (issue 19 items 5 and 6): the judicial-confirmation package and its hashes, the
status moves (staff and the court's system), the litigation referral and the access rule on every endpoint."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityAuditEvent
from cases.core.models import TimelineEvent
from cases.models import Case
from courtlink import events
from courtlink.models import ConfirmationDeadline, Handoff
from courtlink.package import sha256_of, verify_package

pytestmark = pytest.mark.django_db


def _prepare(client, case, **data):
    return client.post(reverse("courtlink:prepare", args=[case.pk]), {"kind": "confirmation", **data})


def _events(case, code):
    return TimelineEvent.objects.filter(case=case, type=code).count()


def test_mediator_prepares_the_package_and_its_manifest_hashes_match_its_parts(
    login, mediator, concluded_case
):
    client = login(mediator)
    before = SecurityAuditEvent.objects.filter(type=SecurityAuditEvent.Type.REVEAL).count()
    response = _prepare(client, concluded_case, court_name="测试县人民法院")
    assert response.status_code == 302
    handoff = Handoff.objects.get(case=concluded_case)
    assert handoff.status == "prepared" and handoff.route == "judicial_confirmation"
    assert [p.kind for p in handoff.parts.all()] == ["confirmation_application", "agreement", "case_file"]
    assert _events(concluded_case, events.PACKAGE_PREPARED.code) == 1
    # full identity of both parties went through the audit (张三 has ID and phone, 李四 a phone)
    reveals = SecurityAuditEvent.objects.filter(type=SecurityAuditEvent.Type.REVEAL).order_by("pk")[before:]
    assert {r.detail["party_name"] for r in reveals} == {"张三", "李四"}
    assert all(r.detail["reason"] == "申请司法确认" for r in reveals)

    archive = client.get(reverse("courtlink:download", args=[concluded_case.pk, handoff.pk]))
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    data = archive.content
    assert verify_package(data) == []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert (
            manifest["reference"] == handoff.reference and manifest["case"]["number"] == concluded_case.number
        )
        for part in manifest["parts"]:
            assert sha256_of(z.read(f"parts/{part['filename']}")) == part["sha256"]
        assert sha256_of(z.read("package.pdf")) == manifest["combined"]["sha256"] == handoff.package_sha256
        assert z.read("package.pdf").startswith(b"%PDF")
        # the court's copy carries the full ID number (the audited reveal), the manifest names what it holds
        assert {"name": "张三", "identity": ["id_number", "phone"]} in manifest["parties"]
    # a changed part no longer matches its manifest
    tampered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            body = src.read(name)
            dst.writestr(name, body + b"x" if name.endswith("02-agreement.pdf") else body)
    assert verify_package(tampered.getvalue()) == ["02-agreement.pdf"]
    manifest_page = client.get(reverse("courtlink:manifest", args=[concluded_case.pk, handoff.pk]))
    assert (
        manifest_page.status_code == 200 and json.loads(manifest_page.content)["parts"] == manifest["parts"]
    )
    # preparing again while this one is live is refused
    again = _prepare(client, concluded_case)
    assert again.status_code == 302 and Handoff.objects.filter(case=concluded_case).count() == 1


def test_status_moves_each_one_event_and_illegal_moves_answer_409_or_400(
    login, mediator, concluded_case, client
):
    login(mediator)
    _prepare(client, concluded_case)
    handoff = Handoff.objects.get(case=concluded_case)
    url = reverse("api-courtlink-progress", args=[concluded_case.pk, handoff.pk])
    illegal = client.post(url, {"status": "confirmed"}, content_type="application/json")
    assert illegal.status_code == 409
    assert "不能改为" in illegal.json()["error"]["message"]
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    assert (
        client.post(url, {"status": "submitted", "on": future}, content_type="application/json").status_code
        == 400
    )
    assert client.post(url, {"status": "nonsense"}, content_type="application/json").status_code == 400
    assert (
        client.post(
            url, {"status": "submitted", "note": "a\x00b"}, content_type="application/json"
        ).status_code
        == 400
    )
    ok = client.post(url, {"status": "submitted"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "submitted"
    assert ConfirmationDeadline.objects.get(agreement=handoff.agreement).applied_at is not None
    no_ref = client.post(url, {"status": "accepted"}, content_type="application/json")
    assert no_ref.status_code == 400 and "法院案号" in no_ref.json()["error"]["message"]
    page = client.post(
        reverse("courtlink:progress", args=[concluded_case.pk, handoff.pk]),
        {"to": "accepted", "court_reference": "(2026)测0102民特1号"},
    )
    assert page.status_code == 302
    assert client.post(url, {"status": "confirmed"}, content_type="application/json").status_code == 200
    handoff.refresh_from_db()
    assert handoff.status == "confirmed" and handoff.court_reference == "(2026)测0102民特1号"
    assert handoff.submitted_on and handoff.accepted_on and handoff.decided_on
    for event in (events.PACKAGE_SUBMITTED, events.PACKAGE_ACCEPTED, events.PACKAGE_CONFIRMED):
        assert _events(concluded_case, event.code) == 1
    assert client.post(url, {"status": "rejected"}, content_type="application/json").status_code == 409


def test_the_courts_system_pushes_progress_once_and_only_for_its_subtree(
    login, mediator, concluded_case, court, client, world
):
    login(mediator)
    _prepare(client, concluded_case)
    handoff = Handoff.objects.get(case=concluded_case)
    login(mediator).post(
        reverse("courtlink:progress", args=[concluded_case.pk, handoff.pk]), {"to": "submitted"}
    )
    client.logout()
    _system, token = court
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    url = reverse("api-courtlink-court-update", args=[handoff.reference])
    body = {"status": "accepted", "court_reference": "(2026)测0102民特9号"}
    first = client.post(url, body, content_type="application/json", **auth)
    assert first.status_code == 200 and first.json()["changed"] is True
    assert first.json()["handoff"]["status"] == "accepted"
    repeat = client.post(url, body, content_type="application/json", **auth)
    assert repeat.status_code == 200 and repeat.json()["changed"] is False
    assert _events(concluded_case, events.PACKAGE_ACCEPTED.code) == 1
    event = TimelineEvent.objects.get(case=concluded_case, type=events.PACKAGE_ACCEPTED.code)
    assert event.data["by"] == "court" and event.actor.username == "sys-court"
    assert (
        client.post(url, {"status": "prepared"}, content_type="application/json", **auth).status_code == 409
    )
    # unknown or garbage references, a system that is not a court, a court of another county
    for bad in ("0" * 16, "zz", "%00" * 3):
        assert (
            client.post(
                f"/api/courtlink/court/handoffs/{bad}/status/", body, content_type="application/json", **auth
            ).status_code
            == 404
        )
    from tests.cases.open311_fixtures import make_system

    _hotline, hotline_token = make_system(world.county, code="hotline12345")
    assert (
        client.post(
            url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {hotline_token}"
        ).status_code
        == 404
    )
    _other, other_token = make_system(world.other_county, code="court-other")
    with pytest.MonkeyPatch.context() as mp:
        from django.conf import settings

        mp.setattr(settings, "COURTLINK_COURT_SYSTEMS", ["court", "court-other"])
        assert (
            client.post(
                url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {other_token}"
            ).status_code
            == 404
        )
    assert client.post(url, body, content_type="application/json").status_code in (401, 403)


def test_litigation_referral_tells_the_parties_and_carries_the_notice(
    login, mediator, failed_case, sms_outbox, client, django_capture_on_commit_callbacks
):
    login(mediator)
    section = client.get(reverse("courtlink:section", args=[failed_case.pk]))
    assert section.status_code == 200 and 'data-testid="prepare-litigation"' in section.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("courtlink:prepare", args=[failed_case.pk]),
            {"kind": "litigation", "route": "court_mediation"},
        )
    assert response.status_code == 302
    handoff = Handoff.objects.get(case=failed_case)
    assert handoff.kind == "litigation" and handoff.route == "court_mediation" and handoff.notice_id
    assert [p.kind for p in handoff.parts.all()] == ["litigation_referral", "termination_notice", "case_file"]
    event = TimelineEvent.objects.get(case=failed_case, type=events.REFERRAL_PREPARED.code)
    assert (
        event.is_public
        and event.data["route"] == "court_mediation"
        and event.data["told"] == ["张三", "李四"]
    )
    texts = {m.phone: m.text for m in sms_outbox}
    assert set(texts) == {"13800138000", "13912345678"} and "诉前调解" in texts["13800138000"]
    archive = client.get(reverse("courtlink:download", args=[failed_case.pk, handoff.pk]))
    assert verify_package(archive.content) == []
    bad_route = client.post(
        reverse("api-courtlink-handoffs", args=[failed_case.pk]),
        {"kind": "litigation", "route": "x"},
        content_type="application/json",
    )
    assert bad_route.status_code == 400


def test_every_endpoint_404_for_an_outsider_and_403_for_read_only(
    login, mediator, clerk, outsider, concluded_case, client
):
    login(mediator)
    _prepare(client, concluded_case)
    handoff = Handoff.objects.get(case=concluded_case)
    pk = concluded_case.pk
    gets = [
        reverse("courtlink:section", args=[pk]),
        reverse("courtlink:download", args=[pk, handoff.pk]),
        reverse("courtlink:manifest", args=[pk, handoff.pk]),
        reverse("api-courtlink-handoffs", args=[pk]),
    ]
    posts = [
        (reverse("courtlink:prepare", args=[pk]), {"kind": "confirmation"}),
        (reverse("courtlink:progress", args=[pk, handoff.pk]), {"to": "submitted"}),
        (reverse("api-courtlink-progress", args=[pk, handoff.pk]), {"status": "submitted"}),
    ]
    login(outsider)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    # the clerk who registered the case may read it, not change it (nor take the full-identity package)
    login(clerk)
    assert client.get(gets[0]).status_code == 200
    assert client.get(gets[3]).status_code == 200
    assert client.get(gets[1]).status_code == 403
    assert client.get(gets[2]).status_code == 403
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("courtlink:prepare", args=[pk])).status_code == 405
    assert Handoff.objects.get(pk=handoff.pk).status == "prepared"


def test_a_party_prepares_in_the_portal_and_sees_the_status(
    client, mediator, zhang, stranger, concluded_case
):
    client.force_login(zhang, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("courtlink:mine"))
    assert page.status_code == 200 and 'data-testid="citizen-prepare"' in page.content.decode()
    response = client.post(reverse("courtlink:citizen_prepare", args=[concluded_case.tracking_code]))
    assert response.status_code == 302
    handoff = Handoff.objects.get(case=concluded_case)
    assert handoff.prepared_by == zhang
    body = client.get(reverse("courtlink:mine")).content.decode()
    assert "材料已准备" in body and "调解员核对后将提交人民法院" in body
    # the citizen gets no staff page nor the package
    assert client.get(reverse("courtlink:download", args=[concluded_case.pk, handoff.pk])).status_code == 404
    assert client.get(reverse("courtlink:section", args=[concluded_case.pk])).status_code == 404
    client.force_login(stranger, backend="django.contrib.auth.backends.ModelBackend")
    assert concluded_case.number not in client.get(reverse("courtlink:mine")).content.decode()
    assert (
        client.post(reverse("courtlink:citizen_prepare", args=[concluded_case.tracking_code])).status_code
        == 404
    )
    assert client.post(reverse("courtlink:citizen_prepare", args=["AB\x00CD"])).status_code == 404


def test_case_page_loads_the_section_lazily(login, mediator, concluded_case, client):
    login(mediator)
    page = client.get(reverse("cases:detail", args=[concluded_case.pk]) + "?tab=documents")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'hx-get="{reverse("courtlink:section", args=[concluded_case.pk])}"' in html
    assert 'data-testid="court-section"' not in html  # the card itself arrives by htmx


def test_list_page_and_api_list(login, mediator, concluded_case, client, django_assert_max_num_queries):
    login(mediator)
    _prepare(client, concluded_case)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("courtlink:list"))
    assert page.status_code == 200 and concluded_case.number in page.content.decode()
    data = client.get(reverse("api-courtlink-handoffs", args=[concluded_case.pk])).json()
    assert data["handoffs"][0]["status"] == "prepared" and len(data["handoffs"][0]["parts"]) == 3
    assert data["confirmation_deadline"]


def test_window_closed_refuses_a_new_application(login, mediator, concluded_case, client, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=40))
    login(mediator)
    section = client.get(reverse("courtlink:section", args=[concluded_case.pk])).content.decode()
    assert 'data-testid="window-lapsed"' in section and 'data-testid="prepare-confirmation"' not in section
    _prepare(client, concluded_case)
    assert not Handoff.objects.filter(case=concluded_case).exists()
    assert Case.objects.get(pk=concluded_case.pk)


def test_the_package_carries_the_evidence_and_identity_documents_as_uploaded(login, mediator, concluded_case):
    """Uploaded evidence (an ID card copy among it) goes into the package byte for byte, hashed in the manifest,
    beside the combined PDF (an image cannot be merged into it)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.intake.services import add_attachments

    card = b"\xff\xd8\xff\xe0 ID card copy"
    add_attachments(
        concluded_case,
        actor=mediator,
        files=[SimpleUploadedFile("身份证复印件.jpg", card, content_type="image/jpeg")],
    )
    client = login(mediator)
    _prepare(client, concluded_case, court_name="测试县人民法院")
    handoff = Handoff.objects.get(case=concluded_case)
    kinds = [p.kind for p in handoff.parts.all()]
    assert kinds == ["confirmation_application", "agreement", "case_file", "evidence"]
    data = client.get(reverse("courtlink:download", args=[concluded_case.pk, handoff.pk])).content
    assert verify_package(data) == []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        manifest = json.loads(z.read("manifest.json"))
        evidence = [p for p in manifest["parts"] if p["kind"] == "evidence"]
        assert len(evidence) == 1 and evidence[0]["filename"].endswith(".jpg")
        assert z.read(f"parts/{evidence[0]['filename']}") == card and evidence[0]["sha256"] == sha256_of(card)
        assert "身份证复印件.jpg" in evidence[0]["title"]
