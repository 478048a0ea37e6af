"""Demo data of the citizens' portal for the run command: a question with its answer and a first online-mediation message."""

from django.utils import timezone

from cases.core.models import Case, DisputeType, Party, Source
from cases.intake.services import CaseData, PartyData
from cases.portal import privacy
from cases.portal.models import (
    Consultation,
)
from cases.portal.services import (
    answer_consultation,
    ask_question,
    post_case_message,
    submit_online_application,
)


def build_demo_portal(org: dict) -> None:
    """A citizen question with its answer, a first online-mediation message and an online application
    with its privacy consent, through the services."""
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
    # An online application sent with the privacy consent (version and digest of the notice, the time).
    submit_online_application(
        citizen=citizen,
        center=county,
        consent=privacy.Consent(
            version=privacy.NOTICE_VERSION, sha256=privacy.notice_sha256(), consented_at=timezone.now()
        ),
        data=CaseData(
            dispute_type=DisputeType.objects.get(code="neighbour"),
            summary="楼上邻居装修长期在夜间施工，多次沟通无果。",
            claims="停止夜间施工，赔偿损坏的吊顶",
            source=Source.ONLINE,
            people_count=2,
            parties=[
                PartyData(role=Party.Role.APPLICANT, name="张群众", phone=citizen.phone),
                PartyData(role=Party.Role.RESPONDENT, name="李邻居"),
            ],
        ),
    )
