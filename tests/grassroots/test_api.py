import pytest
from django.urls import reverse

from grassroots.models import LatentRisk

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _entry(**extra):
    body = {
        "kind": "quick_record",
        "dispute_type": "neighbour",
        "summary": "邻里争吵",
        "place": "东村",
        "parties": [{"name": "王五", "phone": "13800138001"}, {"name": "赵六"}],
        "agreement": "互相道歉",
    }
    body.update(extra)
    return body


def test_api_quick_record_report_and_access(
    login, world, grid_worker, other_grid_worker, town_supervisor, outsider
):
    client = login(grid_worker)
    made = client.post(reverse("api-grassroots-entries"), _entry(), content_type=JSON)
    assert made.status_code == 201 and made.json()["case_status"] == "closed"
    report = client.post(
        reverse("api-grassroots-entries"), _entry(kind="report", to_center=world.town.pk), content_type=JSON
    )
    assert report.status_code == 201 and report.json()["case_status"] == "submitted"
    bad = client.post(reverse("api-grassroots-entries"), _entry(agreement=""), content_type=JSON)
    assert bad.status_code in (400, 409) and "协议" in bad.json()["error"]["message"]
    bad_phone = client.post(
        reverse("api-grassroots-entries"), _entry(parties=[{"name": "王五", "phone": "123"}]), content_type=JSON
    )
    assert bad_phone.status_code == 400 and "11 位手机号" in str(bad_phone.json())
    assert len(client.get(reverse("api-grassroots-entries")).json()["results"]) == 2
    assert login(other_grid_worker).get(reverse("api-grassroots-entries")).json()["results"] == []
    assert (
        login(outsider).post(reverse("api-grassroots-entries"), _entry(), content_type=JSON).status_code
        == 403
    )


def test_api_risk_access(login, world, grid_worker, town_supervisor, village_clerk, outsider):
    made = login(grid_worker).post(
        reverse("api-grassroots-risks"),
        {"summary": "欠薪隐患", "place": "工地", "level": 3},
        content_type=JSON,
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    assert login(outsider).get(reverse("api-grassroots-risk", args=[pk])).status_code == 404
    assert login(village_clerk).get(reverse("api-grassroots-risk", args=[pk])).status_code == 200
    close = reverse("api-grassroots-risk-close", args=[pk])
    assert login(village_clerk).post(close, {"conclusion": "x"}, content_type=JSON).status_code == 403
    assert login(outsider).post(close, {"conclusion": "x"}, content_type=JSON).status_code == 404
    done = login(town_supervisor).post(close, {"conclusion": "已解决"}, content_type=JSON)
    assert done.status_code == 200 and LatentRisk.objects.get().status == "closed"
    figures = login(town_supervisor).get(reverse("api-grassroots-resolution"), {"start": "bad"})
    assert figures.status_code == 400
    assert login(outsider).get(reverse("api-grassroots-resolution")).status_code == 403
