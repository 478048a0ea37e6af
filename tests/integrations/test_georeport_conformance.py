"""GeoReport v2 conformance, from the standard's documented examples (wiki.open311.org/GeoReport_v2):
each response is compared with the element names the examples show, in XML and JSON."""

from xml.etree import ElementTree

import pytest
from django.urls import reverse

from cases.intake.services import register_case
from tests.cases.open311_fixtures import make_system
from tests.conftest import make_case_data

BASE = "/api/open311/v2/"
# <services><service>… from the example of GET services.xml
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
# <service_definition><attributes><attribute>… from the example of GET services/{code}.xml
ATTRIBUTE_FIELDS = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
# <service_requests><request>… the fields of GET requests/{id}.xml the center has (no media, no zipcode)
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "requested_datetime",
    "updated_datetime",
    "address",
}


@pytest.fixture
def hotline(world):
    return make_system(world.county)


def xml(response):
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    return ElementTree.fromstring(response.content)


def test_routes_are_the_standards_paths():
    assert reverse("open311-services-xml") == BASE + "services.xml"
    assert reverse("open311-service-definition", args=["labour"]) == BASE + "services/labour.json"
    assert reverse("open311-request-xml", args=[7]) == BASE + "requests/7.xml"


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_service_list_is_public_in_both_formats(client, db, fmt):
    response = client.get(f"{BASE}services.{fmt}")
    assert response.status_code == 200
    if fmt == "xml":
        root = xml(response)
        assert root.tag == "services" and {c.tag for c in root} == {"service"}
        services = [{f.tag: f.text for f in s} for s in root]
        assert all(set(s) == SERVICE_FIELDS for s in services)
        assert all(s["metadata"] == "true" and s["type"] == "realtime" for s in services)
    else:
        services = response.json()
        assert all(SERVICE_FIELDS <= set(s) and s["metadata"] is True for s in services)
    assert "labour" in {s["service_code"] for s in services}


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_service_definition_lists_the_centers_attributes(client, db, fmt):
    response = client.get(f"{BASE}services/labour.{fmt}")
    assert response.status_code == 200
    if fmt == "xml":
        root = xml(response)
        assert root.tag == "service_definition" and root.findtext("service_code") == "labour"
        attributes = root.find("attributes").findall("attribute")
        items = [{f.tag: f.text for f in a} for a in attributes]
        assert all(ATTRIBUTE_FIELDS <= set(a) for a in items)
        values = attributes[[a["code"] for a in items].index("risk_violence")].find("values").findall("value")
        assert [(v.findtext("key"), bool(v.findtext("name"))) for v in values] == [
            ("true", True),
            ("false", True),
        ]
        codes = [a["code"] for a in items]
        assert all(a["datatype"] in DATATYPES and a["variable"] == "true" for a in items)
    else:
        body = response.json()
        assert body["service_code"] == "labour"
        codes = [a["code"] for a in body["attributes"]]
        assert all(ATTRIBUTE_FIELDS <= set(a) and a["datatype"] in DATATYPES for a in body["attributes"])
    assert {"amount", "people_count", "risk_upward_petition", "claims"} <= set(codes)


def test_unknown_service_answers_the_standards_error_list(client, db):
    root = xml(client.get(f"{BASE}services/nope.xml"))
    assert root.tag == "errors"
    error = root.find("error")
    assert error.findtext("code") == "404" and error.findtext("description")
    assert client.get(f"{BASE}services/nope.json").status_code == 404


def test_requests_xml_needs_the_api_key_and_answers_errors_in_the_standards_form(client, db):
    response = client.get(f"{BASE}requests.xml")
    assert response.status_code == 401
    root = xml(response)
    assert root.tag == "errors" and root.find("error").findtext("code") == "401"


def test_request_and_request_list_in_xml(client, world, hotline):
    system, token = hotline
    case = register_case(
        center=world.county,
        actor=system.user,
        data=make_case_data(external_system=system.code, external_id="12345-9"),
    )
    one = xml(client.get(f"{BASE}requests/{case.pk}.xml", {"api_key": token}))
    assert one.tag == "service_requests" and [c.tag for c in one] == ["request"]
    request = {f.tag: f.text for f in one.find("request")}
    assert REQUEST_FIELDS <= set(request)
    assert request["service_request_id"] == str(case.pk) and request["status"] == "open"
    listed = xml(client.get(f"{BASE}requests.xml", {"api_key": token}))
    assert [r.findtext("service_request_id") for r in listed.findall("request")] == [str(case.pk)]
    missing = xml(client.get(f"{BASE}requests/{case.pk + 1000}.xml", {"api_key": token}))
    assert missing.tag == "errors" and missing.find("error").findtext("code") == "404"
