"""GeoReport v2's own forms on /api/open311/v2/: the XML the standard's examples show, its error list, and the
service definitions (the attributes the center needs beyond the core fields, so a client can discover them)."""

from xml.etree.ElementTree import Element, SubElement, tostring

from django.utils.translation import gettext as _
from rest_framework.renderers import BaseRenderer

from mediation_center.api_limits import standard_errors

# list root -> item element, as in the standard's examples
ITEM_OF = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "notes": "note",
    "service_request_updates": "request_update",
}


def _fill(parent: Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(SubElement(parent, key), item)
    elif isinstance(value, list):
        item_tag = ITEM_OF.get(parent.tag, "value")
        for item in value:
            _fill(SubElement(parent, item_tag), item)
    elif value is None:
        pass
    elif isinstance(value, bool):
        parent.text = "true" if value else "false"
    else:
        parent.text = str(value)


def to_xml(root: str, value) -> bytes:
    element = Element(root)
    _fill(element, value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + tostring(element, encoding="unicode").encode()


class Open311XMLRenderer(BaseRenderer):
    """``.xml``: lists as ``<services>``/``<service_requests>``, a definition as ``<service_definition>``, and
    errors as the standard's ``<errors><error><code/><description/></error></errors>``."""

    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        view = context.get("view")
        if response is not None and response.status_code >= 400:
            items = standard_errors(response.status_code, data)  # the XML keeps to the standard's two elements
            return to_xml("errors", [{"code": i["code"], "description": i["description"]} for i in items])
        return to_xml(getattr(view, "xml_root", "service_requests"), data)


def _choice(code: str, order: int, description: str, values: list[tuple[str, str]], required=False):
    return {
        "variable": True,
        "code": code,
        "datatype": "singlevaluelist",
        "required": required,
        "datatype_description": "",
        "order": order,
        "description": description,
        "values": [{"key": k, "name": v} for k, v in values],
    }


def _field(code: str, datatype: str, order: int, description: str, datatype_description: str = ""):
    return {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": False,
        "datatype_description": datatype_description,
        "order": order,
        "description": description,
    }


def service_attributes() -> list[dict]:
    """What a mediation case needs beyond the core fields; the codes are the JSON push's field names.
    (The parties are the JSON push's ``parties`` list: not expressible as one GeoReport attribute.)"""
    yes_no = [("true", _("是")), ("false", _("否"))]
    return [
        _field("claims", "text", 2, _("申请人的请求事项")),
        _field("amount", "number", 3, _("涉及金额（元）"), _("数字，最多两位小数")),
        _field("people_count", "number", 4, _("涉及人数"), _("1 至 100000 的整数")),
        _choice("is_group", 5, _("是否群体性纠纷"), yes_no),
        _choice("risk_violence", 6, _("是否有暴力倾向或民转刑风险"), yes_no),
        _choice("risk_mass_incident", 7, _("是否有引发群体性事件的风险"), yes_no),
        _choice("risk_upward_petition", 8, _("是否有越级上访风险"), yes_no),
        _field("police_calls", "number", 9, _("此前报警次数"), _("0 至 1000 的整数")),
    ]


def service_definition(dispute_type) -> dict:
    return {"service_code": dispute_type.code, "attributes": service_attributes()}
