"""Demo data for electronic service: a receipt served to the demo citizen (13800138000) and opened by them,
one texted to the respondent and not yet opened, and one served on paper (直接送达) in a second case."""

from datetime import timedelta

from django.test.client import RequestFactory
from django.utils import timezone

from eservice import services
from eservice.models import ServiceConsent


def build(org: dict) -> int:
    from cases.lifecycle.demo import _routed

    citizen = org["users"]["citizen"]
    mediator = org["users"]["mediator"]
    case = _routed(org, "快递站拖欠分拣员 1 个月工资 4200 元，双方同意文书电子送达。", ("张群众", "某快递站"))
    applicant = case.parties.get(name="张群众")
    respondent = case.parties.get(name="某快递站")
    request = RequestFactory().get("/", HTTP_USER_AGENT="Mozilla/5.0 (iPhone; demo)")
    services.give_consent(case, party=applicant, actor=citizen, method=ServiceConsent.Method.PORTAL)
    services.give_consent(case, party=respondent, actor=mediator, method=ServiceConsent.Method.COUNTER)
    pdf = services.render_for_service(case, "receipt")
    opened = services.serve_electronically(case, party=applicant, kind="receipt", actor=mediator, pdf=pdf)
    services.record_opening(opened, citizen=citizen, request=request)
    services.serve_electronically(case, party=respondent, kind="receipt", actor=mediator, pdf=pdf)

    paper_case = _routed(org, "餐馆拖欠帮厨半个月工资 1800 元。", ("张群众", "某餐馆"))
    services.record_paper_service(
        paper_case,
        party=paper_case.parties.get(name="某餐馆"),
        kind="receipt",
        method="direct",
        served_at=timezone.now() - timedelta(hours=1),
        note="经营者本人签收",
        actor=mediator,
    )
    return 3
