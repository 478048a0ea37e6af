"""Shared checks for the API tests."""

import json


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is the one JSON error shape with this status (and code); returns the error."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]
