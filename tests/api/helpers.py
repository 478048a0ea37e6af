"""Shared checks for the API tests."""

import json


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is the one JSON error shape with this status (and code); returns the error. On GeoReport
    v2's paths the shape is the standard's list, read back into the same three keys (``open311_error``)."""
    request = getattr(response, "request", None) or {}
    if request.get("PATH_INFO", "").startswith("/api/open311/v2/") or response.content.startswith(b"["):
        return open311_error(response, status, code)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def open311_error(response, status: int | None = None, code: str | None = None) -> dict:
    """GeoReport v2's error list ([{code, description, error_code, field?}]) on /api/open311/v2/, checked and
    read back as {"code", "message", "fields"} so a test can ask what it asks of the project's own shape."""
    if status is not None:
        assert response.status_code == status, response.content[:300]
    items = json.loads(response.content)
    assert isinstance(items, list) and items, items
    for item in items:
        assert item["code"] == response.status_code and item["description"], item
    fields: dict[str, list[str]] = {}
    for item in items[1:]:
        field = item["field"]
        fields.setdefault(field.split(".")[0].split("[")[0], []).append(item["description"][len(field) + 2 :])
    error = {"code": items[0]["error_code"], "message": items[0]["description"], "fields": fields}
    if code is not None:
        assert error["code"] == code, items
    return error
