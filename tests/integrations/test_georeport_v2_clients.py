"""GeoReport v2 as an off-the-shelf client speaks it (issue 24 items 4-6): form-encoded pushes with api_key and
attribute[...], no external_id, jurisdiction_id, tokens, the standard's error list, the notes history with
mySociety's extended statuses, and servicerequestupdates both ways."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.core.models import Case, TimelineEvent
from routing.services import claim_case, route_case
from tests.api.helpers import open311_error
from tests.cases.open311_fixtures import make_system, push_body

BASE = "/api/open311/v2/"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def hotline(world):
    return make_system(world.county)


def form_push(client, key, **fields):
    """A push as FixMyStreet's Open311 sender makes it: flat form fields, api_key among them."""
    body = {
        "api_key": key,
        "service_code": "labour",
        "description": "来电反映某工地拖欠十二名工人工资",
        "address_string": "城关镇某工地",
        "lat": "30.25",
        "long": "120.16",
        "first_name": "伟",
        "last_name": "张",
        "phone": "13800138000",
        "attribute[people_count]": "12",
        "attribute[risk_mass_incident]": "true",
        "attribute[amount]": "36000",
    } | fields
    return client.post(BASE + "requests.json", body)


def test_a_form_push_without_external_id_registers_and_a_repeat_finds_it(client, hotline):
    response = form_push(client, hotline[1])
    assert response.status_code == 201, response.content
    (answer,) = response.json()
    case = Case.objects.get(pk=answer["service_request_id"])
    assert case.people_count == 12 and case.risk_mass_incident and str(case.amount) == "36000.00"
    assert case.parties.get().name == "张伟"
    assert answer["token"] == case.tracking_code and answer["account_id"] is None
    again = form_push(client, hotline[1])
    assert again.status_code == 200 and again.json()[0]["service_request_id"] == answer["service_request_id"]
    assert Case.objects.count() == 1
    other = form_push(client, hotline[1], description="另一起：某商店拒不退货")
    assert other.status_code == 201 and Case.objects.count() == 2
    with time_machine.travel(timezone.now() + timedelta(hours=25)):  # past OPEN311_CONTENT_WINDOW_HOURS
        later = form_push(client, hotline[1])
    assert later.status_code == 201 and Case.objects.count() == 3


def test_an_attribute_the_definitions_do_not_list_is_refused_in_the_standards_error_list(client, hotline):
    response = form_push(client, hotline[1], **{"attribute[colour]": "red"})
    items = response.json()
    assert response.status_code == 400 and all(item["code"] == 400 for item in items)
    assert any("attribute" in item["description"] and "colour" in item["description"] for item in items)
    assert not Case.objects.exists()
    xml = client.post(BASE + "requests.xml", {"api_key": hotline[1], "service_code": "labour"})
    root = ElementTree.fromstring(xml.content)
    assert xml.status_code == 400 and root.tag == "errors"
    assert {e.tag for e in root[0]} == {"code", "description"} and root[0].find("code").text == "400"


def test_jurisdiction_id_sends_the_case_to_that_area(client, hotline, world, settings):
    world.town.area_code = "330102001"
    world.town.save()
    response = form_push(client, hotline[1], jurisdiction_id="330102001")
    assert response.status_code == 201
    assert Case.objects.get().center == world.town
    outside = form_push(client, hotline[1], jurisdiction_id="110000", description="别处的纠纷")
    error = open311_error(outside, 400)
    assert "jurisdiction_id" in error["fields"] and "不在本系统所属中心的辖区内" in str(error["fields"])
    settings.OPEN311_REQUIRE_JURISDICTION = True
    missing = form_push(client, hotline[1], description="没写辖区")
    assert "jurisdiction_id" in open311_error(missing, 400)["fields"]


def test_a_token_stands_for_its_request_and_only_for_its_system(client, hotline, world):
    answer = form_push(client, hotline[1]).json()[0]
    found = client.get(f"{BASE}tokens/{answer['token']}.json", {"api_key": hotline[1]})
    assert found.json() == [{"service_request_id": answer["service_request_id"], "token": answer["token"]}]
    xml = ElementTree.fromstring(client.get(f"{BASE}tokens/{answer['token']}.xml", {"api_key": hotline[1]}).content)
    assert xml.find("request/service_request_id").text == answer["service_request_id"]
    _grid, grid_key = make_system(world.county, code="grid")
    open311_error(client.get(f"{BASE}tokens/{answer['token']}.json", {"api_key": grid_key}), 404)


def test_a_request_carries_its_extended_status_and_the_history_of_public_notes(
    client, hotline, clerk, mediator, django_assert_max_num_queries
):
    token = {"api_key": hotline[1]}
    answer = client.post(BASE + "requests.json", push_body(), content_type="application/json",
                         HTTP_AUTHORIZATION=f"Token {hotline[1]}").json()[0]
    case = Case.objects.get(pk=answer["service_request_id"])
    (request,) = client.get(f"{BASE}requests/{case.pk}.json", token).json()
    assert request["extended_status"] == "INVESTIGATING"
    assert [n["type"] for n in request["notes"]] == ["registered"]
    route_case(case, actor=clerk)
    claim_case(Case.objects.get(pk=case.pk), actor=mediator)
    (request,) = client.get(f"{BASE}requests/{case.pk}.json", token).json()
    public = list(TimelineEvent.objects.filter(case=case, is_public=True).order_by("-created_at", "-pk"))
    assert [n["note_id"] for n in request["notes"]] == [str(e.pk) for e in public]
    assert request["extended_status"] in {"ACTION_SCHEDULED", "IN_PROGRESS"}
    xml = ElementTree.fromstring(client.get(f"{BASE}requests/{case.pk}.xml", token).content)
    assert len(xml.findall("request/notes/note")) == len(public)
    # the list costs the same for 1 request or 6 (the notes are one prefetch)
    for i in range(5):
        client.post(BASE + "requests.json", push_body(external_id=f"n{i}"), content_type="application/json",
                    HTTP_AUTHORIZATION=f"Token {hotline[1]}")
    with django_assert_max_num_queries(6):
        listing = client.get(BASE + "requests.json", token).json()
    assert len(listing) == 6 and all(r["notes"] for r in listing)


def test_an_update_from_the_source_system_is_recorded_once_for_the_staff(client, hotline, world, login, supervisor):
    case_id = client.post(BASE + "requests.json", push_body(), content_type="application/json",
                          HTTP_AUTHORIZATION=f"Token {hotline[1]}").json()[0]["service_request_id"]
    update = {
        "api_key": hotline[1],
        "service_request_id": case_id,
        "update_id": "12345-U-1",
        "status": "WITHDRAWN",
        "description": "群众来电表示已与公司私下和解，申请撤回",
        "updated_datetime": "2026-12-01T10:00:00+08:00",
        "first_name": "伟",
        "last_name": "张",
    }
    response = client.post(BASE + "servicerequestupdates.json", update)
    assert response.status_code == 201, response.content
    (answer,) = response.json()
    event = TimelineEvent.objects.get(case_id=case_id, type="external_note")
    assert answer["update_id"] == str(event.pk) and event.data["status"] == "WITHDRAWN"
    assert "撤回" in event.data["reason"] and "私下和解" in event.data["reason"] and not event.is_public
    assert Case.objects.get(pk=case_id).status == "registered"  # the staff decide; nothing changed by itself
    again = client.post(BASE + "servicerequestupdates.json", update)
    assert again.status_code == 200 and again.json() == response.json()
    assert TimelineEvent.objects.filter(case_id=case_id, type="external_note").count() == 1
    conflict = client.post(BASE + "servicerequestupdates.json", update | {"description": "别的内容"})
    assert open311_error(conflict, 422)["code"] == "idempotency_key_reused"
    _grid, grid_key = make_system(world.county, code="grid")
    open311_error(client.post(BASE + "servicerequestupdates.json", update | {"api_key": grid_key}), 404)
    missing = client.post(BASE + "servicerequestupdates.json", {"api_key": hotline[1], "service_request_id": case_id})
    assert {"update_id", "description"} <= set(open311_error(missing, 400)["fields"])
    page = login(supervisor).get(reverse("cases:detail", args=[case_id])).content.decode()
    assert "外部系统补充信息" in page and "私下和解" in page


def test_the_public_updates_of_a_systems_requests_by_time(client, hotline, clerk):
    before = timezone.now() - timedelta(seconds=1)
    case_id = client.post(BASE + "requests.json", push_body(), content_type="application/json",
                          HTTP_AUTHORIZATION=f"Token {hotline[1]}").json()[0]["service_request_id"]
    route_case(Case.objects.get(pk=case_id), actor=clerk)
    updates = client.get(BASE + "servicerequestupdates.json", {"api_key": hotline[1], "start_date": before.isoformat()})
    rows = updates.json()
    assert [r["service_request_id"] for r in rows] == [case_id] * len(rows) and len(rows) >= 2
    assert {"update_id", "status", "extended_status", "updated_datetime", "description"} <= set(rows[0])
    xml = ElementTree.fromstring(
        client.get(BASE + "servicerequestupdates.xml", {"api_key": hotline[1], "start_date": before.isoformat()}).content
    )
    assert xml.tag == "service_request_updates" and len(xml.findall("request_update")) == len(rows)
    bad = client.get(BASE + "servicerequestupdates.json", {"api_key": hotline[1], "start_date": "yesterday"})
    assert "start_date" in open311_error(bad, 400)["fields"]
