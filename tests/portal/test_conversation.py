import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.models import Case, CaseMessage, Status, TimelineEvent


def as_user(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def mediation_case(make_case, world, mediator):
    from tests.cases.lifecycle_helpers import route

    case = route(make_case(), world.channels["specialist"])  # assigned to the specialist mediator
    Case.objects.filter(pk=case.pk).update(status=Status.IN_MEDIATION)
    case.refresh_from_db()
    return case


@pytest.mark.django_db
def test_citizen_and_mediator_exchange_messages_and_files(citizen, mediator, mediation_case):
    case = mediation_case
    party = as_user(citizen)
    upload = SimpleUploadedFile("照片.jpg", b"\xff\xd8jpeg", content_type="image/jpeg")
    response = party.post(
        f"/portal/cases/{case.tracking_code}/messages/", {"body": "我周三下午有空。", "file": upload}
    )
    assert response.status_code == 302
    message = CaseMessage.objects.get()
    assert (
        not message.from_staff
        and message.author == citizen
        and message.attachment.original_name == "照片.jpg"
    )

    staff = as_user(mediator)
    page = staff.get(f"/cases/{case.pk}/").content.decode()
    assert "在线调解沟通" in page and "我周三下午有空。" in page and "照片.jpg" in page
    file_url = f"/portal/files/{message.attachment.token}/"
    assert staff.get(file_url).status_code == 200
    assert b"".join(party.get(file_url).streaming_content) == b"\xff\xd8jpeg"

    response = staff.post(
        f"/portal/staff/cases/{case.pk}/messages/", {"body": "好的，周三 14:00 在中心调解室。"}
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/#conversation"
    body = party.get(f"/portal/cases/{case.tracking_code}/").content.decode()
    assert "好的，周三 14:00 在中心调解室。" in body and "我周三下午有空。" in body

    events = TimelineEvent.objects.filter(case=case, type="portal_message").order_by("pk")
    assert [(e.actor, e.data["from_staff"]) for e in events] == [(citizen, False), (mediator, True)]
    assert CaseMessage.objects.count() == 2  # every message is kept


@pytest.mark.django_db
def test_another_citizen_gets_404(other_citizen, citizen, mediation_case):
    case = mediation_case
    as_user(citizen).post(
        f"/portal/cases/{case.tracking_code}/messages/",
        {"body": "材料见附件", "file": SimpleUploadedFile("a.pdf", b"%PDF", content_type="application/pdf")},
    )
    token = CaseMessage.objects.get().attachment.token
    other = as_user(other_citizen)
    assert other.get(f"/portal/cases/{case.tracking_code}/").status_code == 404
    assert other.post(f"/portal/cases/{case.tracking_code}/messages/", {"body": "插话"}).status_code == 404
    assert other.get(f"/portal/files/{token}/").status_code == 404
    assert Client().get(f"/portal/files/{token}/").status_code == 404
    assert CaseMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_new_phone_reaches_the_case_once_the_counter_checks_the_id_with_it(make_case, mediation_case):
    from cases.intake.services import PartyData
    from cases.models import Party
    from tests.factories import UserFactory

    # The counter recorded ID 11010519491231002X with phone 13800138000; a new phone alone does not
    # reach it, nor does an ID number on the account that no one checked.
    person = UserFactory(
        username="new_phone", kind="citizen", phone="13600000000", id_number="11010519491231002X"
    )
    url = f"/portal/cases/{mediation_case.tracking_code}/"
    assert as_user(person).get(url).status_code == 404
    # The same person comes to the window with the new phone: the clerk sees the ID card.
    make_case(
        parties=[
            PartyData(
                role=Party.Role.APPLICANT,
                name="张三",
                id_type="resident_id",
                id_number="11010519491231002X",
                phone="13600000000",
            )
        ]
    )
    assert as_user(person).get(url).status_code == 200


@pytest.mark.django_db
def test_staff_message_endpoint_access(clerk, outsider, mediator, mediation_case):
    url = f"/portal/staff/cases/{mediation_case.pk}/messages/"
    assert as_user(clerk).post(url, {"body": "x"}).status_code == 403  # sees the case, may not change it
    assert as_user(outsider).post(url, {"body": "x"}).status_code == 404
    assert as_user(mediator).get(url).status_code == 405
    assert Client().post(url, {"body": "x"}).status_code == 302
    assert not CaseMessage.objects.exists()


@pytest.mark.django_db
def test_empty_message_is_refused(citizen, mediation_case):
    response = as_user(citizen).post(
        f"/portal/cases/{mediation_case.tracking_code}/messages/", {"body": "  "}
    )
    assert response.status_code == 400 and "请填写留言内容或选择文件" in response.content.decode()


@pytest.mark.django_db
def test_citizen_case_page_wrong_method(citizen, mediation_case):
    assert as_user(citizen).post(f"/portal/cases/{mediation_case.tracking_code}/").status_code == 405
