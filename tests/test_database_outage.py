"""A lost database answers 503 with a message, and a submitted form comes back with everything typed (as a
form to send again), never a bare 500; under /api/ the same in the one JSON error shape."""

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from cases.models import Case
from tests.cases.intake_helpers import intake_post


def _lost(*args, **kwargs):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


@pytest.fixture
def staff_client(clerk):
    client = Client(raise_request_exception=False)
    client.force_login(clerk, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_a_counter_submission_during_a_database_outage_comes_back_with_everything_typed(
    staff_client, monkeypatch
):
    monkeypatch.setattr("cases.intake.views.register_case", _lost)
    data = intake_post(summary="拖欠三个月工资共计八千元")
    response = staff_client.post(reverse("cases:intake-register"), data)
    body = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "数据库暂时无法连接，本次提交未保存" in body
    assert 'data-testid="resubmit"' in body and f'action="{reverse("cases:intake-register")}"' in body
    for name, value in data.items():  # every typed value is there to send again
        assert f'name="{name}" value="{value}"' in body
    assert "拖欠三个月工资共计八千元" in body  # and shown, so the clerk can read it back
    assert "Traceback" not in body and "OperationalError" not in body
    assert not Case.objects.exists()


def test_a_page_read_during_a_database_outage_says_so(staff_client, monkeypatch):
    monkeypatch.setattr("cases.intake.views.intake_queue_for", _lost)
    response = staff_client.get(reverse("cases:intake-list"))
    assert response.status_code == 503
    assert "数据库暂时无法连接，请稍后刷新页面重试" in response.content.decode()


def test_typed_values_are_escaped_on_the_outage_page(staff_client, monkeypatch):
    monkeypatch.setattr("cases.intake.views.register_case", _lost)
    data = intake_post(summary='"><script>alert(1)</script>')
    body = staff_client.post(reverse("cases:intake-register"), data).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_an_api_call_during_a_database_outage_answers_503_in_the_error_shape(staff_client, monkeypatch):
    monkeypatch.setattr("cases.core.api.case_list_for", _lost)
    response = staff_client.get(reverse("api-case-list"))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert "数据库暂时无法连接" in response.json()["error"]["message"]


def test_the_outage_page_has_its_title_and_button(staff_client, monkeypatch):
    monkeypatch.setattr("cases.intake.views.register_case", _lost)
    body = staff_client.post(reverse("cases:intake-register"), intake_post()).content.decode()
    assert "<h1>服务暂时不可用</h1>" in body and ">重新提交</button>" in body
