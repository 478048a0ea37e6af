import pytest
from django.test import Client

from cases.models import Consultation


def as_user(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def question(citizen, world):
    as_user(citizen).post(
        "/portal/consultations/", {"center": world.county.pk, "question": "单位不签劳动合同怎么办？"}
    )
    return Consultation.objects.get()


@pytest.mark.django_db
def test_citizen_asks_and_reads_the_answer(citizen, clerk, question):
    assert question.citizen == citizen and not question.is_answered
    staff = as_user(clerk)
    listing = staff.get("/portal/staff/consultations/").content.decode()
    assert "单位不签劳动合同怎么办？" in listing
    response = staff.post(
        f"/portal/staff/consultations/{question.token}/answer/", {"answer": "可向劳动监察投诉。"}
    )
    assert response.status_code == 302
    page = as_user(citizen).get(f"/portal/consultations/{question.token}/").content.decode()
    assert "可向劳动监察投诉。" in page
    assert "单位不签劳动合同怎么办？" not in staff.get("/portal/staff/consultations/").content.decode()


@pytest.mark.django_db
def test_consultation_access(other_citizen, mediator, outsider, foreign_clerk, clerk, question):
    assert as_user(other_citizen).get(f"/portal/consultations/{question.token}/").status_code == 404
    url = f"/portal/staff/consultations/{question.token}/answer/"
    assert as_user(mediator).post(url, {"answer": "x"}).status_code == 403  # reads, does not answer
    assert as_user(foreign_clerk).post(url, {"answer": "x"}).status_code == 404
    assert as_user(outsider).post(url, {"answer": "x"}).status_code == 404
    assert as_user(outsider).get("/portal/staff/consultations/").status_code == 403
    assert as_user(clerk).get(url).status_code == 405
    question.refresh_from_db()
    assert not question.is_answered
    assert (
        "单位不签劳动合同怎么办？"
        not in as_user(foreign_clerk).get("/portal/staff/consultations/").content.decode()
    )


@pytest.mark.django_db
def test_question_is_required(citizen, world):
    response = as_user(citizen).post("/portal/consultations/", {"center": world.county.pk, "question": ""})
    assert response.status_code == 200 and "该字段是必填项" in response.content.decode()
    assert not Consultation.objects.exists()
