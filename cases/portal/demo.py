"""Demo data of the citizens' portal for the run command: a question with its answer and a first online-mediation message."""

from cases.core.models import Case
from cases.portal.models import (
    Consultation,
)
from cases.portal.services import answer_consultation, ask_question, post_case_message


def build_demo_portal(org: dict) -> None:
    """A citizen question with its answer and a first online-mediation message, through the services."""
    citizen = org["users"].get("citizen")
    clerk = org["users"].get("clerk")
    county = org["centers"]["county"]
    if citizen is None or clerk is None or Consultation.objects.filter(citizen=citizen).exists():
        return
    question = ask_question(citizen=citizen, center=county, question="公司不和我签劳动合同，可以申请调解吗？")
    answer_consultation(
        question, actor=clerk, answer="可以。您可以在线申请调解，也可以携带身份证和相关证据到中心窗口登记。"
    )
    case = Case.objects.filter(parties__phone=citizen.phone).order_by("pk").first()
    if case is not None:
        post_case_message(case, actor=citizen, body="我这周三下午有空，可以来中心调解。")
