"""The external intake API (Open311 GeoReport v2 shape): services, push, status, updates since."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from cases.intake.services import refuse_case
from cases.models import Case, Source, Status
from tests.api.helpers import open311_error
from tests.cases.open311_fixtures import make_system, push_body

SERVICES = reverse("open311-services")
REQUESTS = reverse("open311-requests")


@pytest.fixture
def hotline(world):
    return make_system(world.county)


@pytest.fixture
def grid(world):
    return make_system(world.county, code="grid", source=Source.GRID)


def auth(token):
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def test_service_list_is_the_dispute_types(client, hotline):
    body = client.get(SERVICES, **auth(hotline[1])).json()
    assert any(s["service_code"] == "labour" and s["service_name"] == "劳动争议" for s in body)
    # metadata: each service has a definition (services/<code>.json) listing the center's attributes
    assert len(body) == 16 and all(s["metadata"] is True and s["type"] == "realtime" for s in body)


def test_api_key_parameter_works_too(client, hotline):
    assert client.get(SERVICES, {"api_key": hotline[1]}).status_code == 200


def test_anonymous_and_staff_are_refused(client, clerk, db):
    # The service list is public (GeoReport v2); the requests are not.
    assert client.get(SERVICES).status_code == 200
    assert client.get(REQUESTS).status_code == 401
    staff_token = Token.objects.create(user=clerk).key
    assert client.get(REQUESTS, **auth(staff_token)).status_code == 403
    response = client.post(REQUESTS, push_body(), content_type="application/json", **auth(staff_token))
    assert response.status_code == 403 and open311_error(response)["code"] == "permission_denied"
    assert not Case.objects.exists()


def test_push_registers_a_case_with_raw_payload(client, hotline, world):
    system, token = hotline
    response = client.post(REQUESTS, push_body(), content_type="application/json", **auth(token))
    assert response.status_code == 201
    case = Case.objects.get()
    body = response.json()
    assert body == [
        {
            "service_request_id": str(case.pk),
            "service_notice": f"已登记，案号 {case.number}。",
            "account_id": None,
            "token": case.tracking_code,
            "external_id": "12345-20260101-0001",
            "case_number": case.number,
            "tracking_code": case.tracking_code,
            "status_url": f"http://127.0.0.1:8000/portal/status/?code={case.tracking_code}",
        }
    ]
    assert case.source == Source.HOTLINE_12345 and case.status == Status.REGISTERED
    assert case.origin_center == world.county and case.registered_by == system.user
    assert case.external_system == "hotline12345" and case.place == "某镇某村"
    assert case.raw_payload == push_body()
    assert case.risk_upward_petition and case.people_count == 3
    applicant = case.parties.get(role="applicant")
    assert applicant.id_number == "11010519491231002X" and applicant.sex == "F"
    assert case.events.get().type == "registered"


def test_push_with_just_a_name_and_phone(client, hotline):
    body = push_body(parties=None, last_name="王", first_name="小明", phone="13912345678")
    body.pop("parties")
    assert client.post(REQUESTS, body, content_type="application/json", **auth(hotline[1])).status_code == 201
    party = Case.objects.get().parties.get()
    assert (party.name, party.phone, party.role) == ("王小明", "13912345678", "applicant")


def test_form_encoded_push(client, hotline):
    data = {
        "service_code": "neighbour",
        "external_id": "form-1",
        "description": "噪音扰民",
        "last_name": "李",
        "first_name": "四",
        "phone": "13912345678",
    }
    response = client.post(REQUESTS, data, **auth(hotline[1]))
    assert response.status_code == 201
    assert Case.objects.get().raw_payload["description"] == "噪音扰民"


def test_invalid_pushes_get_400_with_field_errors(client, hotline):
    token = hotline[1]
    bad = push_body(
        service_code="nope",
        parties=[{"role": "applicant", "name": "张三", "id_number": "110105194912310021", "phone": "123"}],
        amount="-1",
    )
    bad.pop("description")
    response = client.post(REQUESTS, bad, content_type="application/json", **auth(token))
    assert response.status_code == 400
    fields = open311_error(response)["fields"]
    assert {"service_code", "description", "amount", "parties"} <= set(fields)
    assert "身份证号校验位不正确" in str(fields["parties"]) and "11 位手机号" in str(fields["parties"])
    for payload in ("[1, 2]", "not json", '{"parties": "x"}', '{"parties": [1]}', "null"):
        response = client.post(REQUESTS, payload, content_type="application/json", **auth(token))
        assert response.status_code == 400, payload
    assert not Case.objects.exists()


def test_request_status_only_for_the_pushing_system(client, hotline, grid, make_case):
    created = client.post(REQUESTS, push_body(), content_type="application/json", **auth(hotline[1])).json()
    pk = created[0]["service_request_id"]
    url = reverse("open311-request", args=[pk])
    body = client.get(url, **auth(hotline[1])).json()
    assert body[0]["status"] == "open" and body[0]["case_status"] == "registered"
    assert body[0]["service_code"] == "labour" and body[0]["agency_responsible"] == "测试县矛调中心"
    assert client.get(url, **auth(grid[1])).status_code == 404
    counter_case = make_case()
    assert (
        client.get(reverse("open311-request", args=[counter_case.pk]), **auth(hotline[1])).status_code == 404
    )
    assert client.delete(url, **auth(hotline[1])).status_code == 405
    assert client.post(SERVICES, {}, **auth(hotline[1])).status_code == 405


def test_closed_request_reports_closed_with_notes(client, hotline, clerk):
    client.post(REQUESTS, push_body(), content_type="application/json", **auth(hotline[1]))
    case = Case.objects.get()
    refuse_case(case, actor=clerk, reason="已由法院受理")
    body = client.get(reverse("open311-request", args=[case.pk]), **auth(hotline[1])).json()[0]
    assert body["status"] == "closed" and body["status_notes"] == "已由法院受理"


def test_requests_updated_since(client, hotline, clerk, django_assert_max_num_queries):
    token = hotline[1]
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=2)):
        client.post(REQUESTS, push_body(external_id="old"), content_type="application/json", **auth(token))
        client.post(
            REQUESTS, push_body(external_id="changed"), content_type="application/json", **auth(token)
        )
    with time_machine.travel(start + timedelta(minutes=5)):
        client.post(REQUESTS, push_body(external_id="new"), content_type="application/json", **auth(token))
        refuse_case(Case.objects.get(external_id="changed"), actor=clerk, reason="重复")
    since = (start - timedelta(hours=1)).isoformat()
    with django_assert_max_num_queries(6):
        body = client.get(REQUESTS, {"updated_after": since}, **auth(token)).json()
    assert [r["external_id"] for r in body] == ["new", "changed"]
    closed = client.get(REQUESTS, {"updated_after": since, "status": "closed"}, **auth(token)).json()
    assert [r["external_id"] for r in closed] == ["changed"]
    bad = client.get(REQUESTS, {"updated_after": "yesterday"}, **auth(token))
    assert bad.status_code == 400 and "updated_after" in open311_error(bad)["fields"]


def test_other_systems_cases_are_not_listed(client, hotline, world):
    other = make_system(world.county, code="petition", source=Source.PETITION_SYSTEM)
    client.post(REQUESTS, push_body(), content_type="application/json", **auth(other[1]))
    assert client.get(REQUESTS, **auth(hotline[1])).json() == []
    assert Case.objects.get().source == Source.PETITION_SYSTEM


def test_schema_still_builds(login, clerk):
    assert b"open311" in login(clerk).get(reverse("api-schema")).content
