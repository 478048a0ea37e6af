"""Every error under /api/ is the one JSON error shape, whoever raises it: DRF, Django's URL resolver, a bug."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.helpers import assert_error, open311_error
from tests.cases.open311_fixtures import make_system, push_body


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.fixture
def hotline(world):
    return make_system(world.county)


def test_a_non_numeric_id_answers_404_json(client, login, clerk):
    login(clerk)
    error = assert_error(client.get("/api/cases/abc/"), 404, "not_found")
    assert error["message"] == "未找到该地址：请检查路径，路径中的编号须为数字。"
    assert_error(client.post("/api/cases/abc/close/", {}, content_type="application/json"), 404, "not_found")
    # GeoReport v2's paths answer the standard's error list, even for a path no route matches
    open311_error(client.get("/api/open311/v2/requests/abc.json"), 404, "not_found")


def test_an_unknown_api_path_answers_404_json_even_anonymously(client, db):
    assert_error(client.get("/api/no-such-thing/"), 404, "not_found")
    assert_error(client.delete("/api/"), 404, "not_found")


def test_a_missing_case_answers_404_json(client, login, clerk):
    login(clerk)
    assert_error(client.get(reverse("api-case-detail", args=[999999])), 404, "not_found")


def test_pages_outside_the_api_keep_their_html_404(client, login, clerk):
    login(clerk)
    response = client.get("/cases/abc/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_an_oversize_body_answers_413_json(client, login, clerk, make_case):
    login(clerk)
    url = reverse("api-case-route", args=[make_case().pk])
    body = {"override_reason": "x" * (1024 * 1024 + 1)}
    assert_error(client.post(url, body, content_type="application/json"), 413, "request_too_large")


def test_a_wrong_content_type_answers_415_naming_what_is_accepted(client, hotline):
    response = client.post(
        reverse("open311-requests"),
        "service_code=labour",
        content_type="text/plain",
        HTTP_AUTHORIZATION=f"Token {hotline[1]}",
    )
    error = open311_error(response, 415, "unsupported_media_type")
    assert error["message"] == (
        "不支持的请求内容类型“text/plain”，请使用 "
        "application/json、application/x-www-form-urlencoded、multipart/form-data。"
    )


def test_a_wrong_method_answers_405_json(client, login, clerk):
    login(clerk)
    assert_error(client.delete(reverse("api-me")), 405, "method_not_allowed")
    assert_error(client.put(reverse("api-case-list"), {}, content_type="application/json"), 405)


def test_unauthenticated_answers_401_or_403_json(client, db):
    open311_error(client.get(reverse("open311-requests")), 401, "not_authenticated")  # services: public
    assert_error(client.get(reverse("api-case-list")), 403, "not_authenticated")


def test_a_server_error_inside_an_api_view_answers_500_json(client, login, clerk, monkeypatch):
    def broken(user):
        raise RuntimeError("a bug")

    monkeypatch.setattr("cases.core.api.case_list_for", broken)
    login(clerk)
    error = assert_error(client.get(reverse("api-case-list")), 500, "server_error")
    assert error["message"] == "服务器内部错误，已记录，请稍后重试；如一再出现请联系管理员。"
    assert "a bug" not in error["message"]


def test_a_server_error_in_open311_answers_500_json(client, hotline, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("cases.intake.api.register_case", broken)
    response = client.post(
        reverse("open311-requests"),
        push_body(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {hotline[1]}",
    )
    open311_error(response, 500, "server_error")


def test_a_server_error_outside_the_api_keeps_the_html_page(client, login, clerk, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("accounts.views.render", broken)
    login(clerk)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 500 and response["Content-Type"].startswith("text/html")


def test_django_suspicious_operation_under_the_api_answers_400_json(client, db, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get(reverse("api-me"), HTTP_HOST="evil.example")
    assert_error(response, 400, "bad_request")
