import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.core.access import cases_visible_to
from cases.models import Case, DisputeType, Party, Source, Status, TimelineEvent

URL = "/portal/apply/"
PREVIEW = "/portal/apply/preview/"


def form_data(world, **overrides):
    data = {
        "center": world.county.pk,
        "dispute_type": DisputeType.objects.get(code="labour").pk,
        "applicant_name": "王小明",
        "applicant_id_number": "11010519491231002X",
        "applicant_address": "测试镇幸福路 1 号",
        "respondent_kind": Party.Kind.LEGAL,
        "respondent_name": "某建筑公司",
        "respondent_phone": "0571-87654321",
        "respondent_address": "",
        "summary": "公司拖欠三个月工资共 1.2 万元。",
        "claims": "支付拖欠工资",
        "place": "测试镇工地",
        "amount": "12000",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_online_application_reaches_the_clerks_intake_list(login, world, citizen, clerk):
    client = login(citizen)
    upload = SimpleUploadedFile("欠条.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    assert client.post(URL, {**form_data(world), "files": [upload]})["Location"] == PREVIEW
    assert not Case.objects.exists()  # nothing is sent before the preview is confirmed
    response = client.post(PREVIEW)
    case = Case.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/portal/cases/{case.tracking_code}/submitted/"
    )
    page = client.get(response["Location"])
    assert case.tracking_code in page.content.decode() and "申请已提交" in page.content.decode()

    assert case.status == Status.SUBMITTED and case.source == Source.ONLINE
    assert case.registered_by == citizen and case.center == world.county
    applicant = case.parties.get(role=Party.Role.APPLICANT)
    assert applicant.phone == citizen.phone and applicant.name == "王小明" and applicant.sex == "F"
    assert case.parties.get(role=Party.Role.RESPONDENT).kind == Party.Kind.LEGAL
    attachment = case.attachments.get()
    assert attachment.original_name == "欠条.pdf" and attachment.uploaded_by == citizen
    assert attachment.file.read() == b"%PDF-1.4 evidence"
    assert list(TimelineEvent.objects.filter(case=case).values_list("type", flat=True).order_by("pk")) == [
        "submitted",
        "attachment_added",
    ]

    assert case in cases_visible_to(clerk).filter(status=Status.SUBMITTED)
    clerk_client = Client()
    clerk_client.force_login(clerk, backend="django.contrib.auth.backends.ModelBackend")
    listing = clerk_client.get("/cases/?status=submitted")
    assert case.number in listing.content.decode()

    # the citizen finds it under their cases and can look it up with the code
    assert case.tracking_code in client.get("/portal/me/").content.decode()
    lookup = Client().post("/portal/status/", {"code": case.tracking_code, "phone_last4": citizen.phone[-4:]})
    assert "待受理" in lookup.content.decode()


@pytest.mark.django_db
def test_invalid_application_keeps_input_and_shows_chinese_errors(login, world, citizen):
    client = login(citizen)
    response = client.post(URL, form_data(world, applicant_id_number="110105194912310021", summary=""))
    body = response.content.decode()
    assert response.status_code == 200
    assert "身份证号校验位不正确" in body
    assert "该字段是必填项" in body
    assert 'value="王小明"' in body and "某建筑公司" in body
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_disallowed_file_type_is_refused(login, world, citizen):
    client = login(citizen)
    upload = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(URL, {**form_data(world), "files": [upload]})
    assert "不支持的文件类型" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_application_needs_a_signed_in_citizen(client, login, world, clerk):
    assert client.post(URL, form_data(world)).status_code == 302
    staff = login(clerk)
    assert staff.post(URL, form_data(world))["Location"].startswith("/portal/sign-in/")
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_application_form_has_csrf_protection(world, citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen, backend="django.contrib.auth.backends.ModelBackend")
    assert 'name="csrfmiddlewaretoken"' in client.get(URL).content.decode()
    assert client.post(URL, form_data(world)).status_code == 403


@pytest.mark.django_db
def test_submitted_page_is_only_for_the_applicant(login, world, citizen, other_citizen):
    client = login(citizen)
    client.post(URL, form_data(world))
    client.post(PREVIEW)
    case = Case.objects.get()
    other = Client()
    other.force_login(other_citizen, backend="django.contrib.auth.backends.ModelBackend")
    assert other.get(f"/portal/cases/{case.tracking_code}/submitted/").status_code == 404
    assert other.get(f"/portal/cases/{case.tracking_code}/").status_code == 404
