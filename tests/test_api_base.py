from django.urls import reverse
from rest_framework.authtoken.models import Token


def test_openapi_schema_and_docs_are_served_without_a_cdn(login, clerk):
    client = login(clerk)
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    docs = client.get(reverse("api-docs")).content.decode()
    assert "swagger" in docs.lower()
    assert "cdn" not in docs.lower() and "https://" not in docs


def test_errors_have_one_json_shape(client, db):
    body = client.get(reverse("api-me")).json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}


def test_token_authentication(client, clerk):
    token = Token.objects.create(user=clerk)
    body = client.get(reverse("api-me"), HTTP_AUTHORIZATION=f"Token {token.key}").json()
    assert body["username"] == "clerk"
    assert body["memberships"][0]["role"] == "clerk"
