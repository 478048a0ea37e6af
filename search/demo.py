"""Demo data for search (settings.DEMO_BUILDERS): wage disputes of one contractor — two ended (one settled
orally, one failed), one still open — and one of another employer, so the case page of the open one shows
its similar cases and flags the same respondent, and a search for 拖欠工资 or 宏达 finds them ranked."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from cases.core.models import Case, DisputeType, Party
from cases.intake.services import CaseData, PartyData, register_case
from cases.lifecycle import services
from routing.models import Channel
from routing.services import claim_case, route_case
from search.indexer import index_queued_now

CONTRACTOR = "宏达建筑劳务有限公司"


def _worked(
    org: dict, *, summary: str, applicant: str, phone: str, respondent: str, people: int, amount: str
):
    clerk, mediator = org["users"]["clerk"], org["users"]["mediator"]
    case = register_case(
        center=org["centers"]["county"],
        actor=clerk,
        data=CaseData(
            dispute_type=DisputeType.objects.get(code="labour"),
            summary=summary,
            claims="要求被申请人一次性支付拖欠的工资。",
            amount=Decimal(amount),
            people_count=people,
            is_group=people >= 5,
            parties=[
                PartyData(
                    role=Party.Role.APPLICANT, name=applicant, phone=phone, is_representative=people >= 5
                ),
                PartyData(role=Party.Role.RESPONDENT, name=respondent, kind=Party.Kind.ORGANISATION),
            ],
        ),
    )
    case = route_case(
        case,
        actor=clerk,
        channel=Channel.objects.get(code="specialist"),
        center=org["centers"]["county"],
        departments=[],
        override_reason="演示：欠薪纠纷由县中心专调承办",
    )
    claim_case(case, actor=mediator)
    return Case.objects.get(pk=case.pk)


def build_demo_search(org: dict) -> int:
    mediator = org["users"]["mediator"]
    settled = _worked(
        org,
        summary=f"{CONTRACTOR}承建城南安置房项目，拖欠8名农民工工资共计9.6万元，工人多次讨要未果。",
        applicant="刘建军",
        phone="13700001111",
        respondent=CONTRACTOR,
        people=8,
        amount="96000",
    )
    case = settled
    services.record_session(
        case,
        actor=mediator,
        started_at=timezone.now() - timedelta(days=20),
        mode="in_person",
        place="中心二楼调解室",
        discussion="人社局劳动监察大队派员参加；公司项目经理承认欠薪，称工程款未到位。",
        result="公司同意分两期支付。",
        parties=list(case.parties.all()),
    )
    services.conclude_case(
        case,
        actor=mediator,
        outcome="oral_agreement",
        oral_content="十日内先付5万元，月底前付清余款4.6万元。",
    )
    failed = _worked(
        org,
        summary=f"{CONTRACTOR}拖欠6名木工工资约5万元，包工头失联。",
        applicant="陈志强",
        phone="13700002222",
        respondent=CONTRACTOR,
        people=6,
        amount="50000",
    )
    services.record_session(
        failed,
        actor=mediator,
        started_at=timezone.now() - timedelta(days=10),
        mode="phone",
        discussion="多次电话联系公司负责人，对方拒不到场。",
        result="",
        outcome="failed",
        parties=list(failed.parties.all()),
    )
    services.conclude_case(
        failed,
        actor=mediator,
        outcome="failed",
        reason="被申请人负责人拒不到场，无法达成协议，已告知工人申请劳动仲裁。",
        routes=["arbitration"],
    )
    other = _worked(
        org,
        summary="顺丰达物流公司拖欠3名司机两个月工资1.8万元。",
        applicant="周海涛",
        phone="13700003333",
        respondent="顺丰达物流有限公司",
        people=3,
        amount="18000",
    )
    services.record_session(
        other,
        actor=mediator,
        started_at=timezone.now() - timedelta(days=5),
        mode="in_person",
        discussion="公司承认欠薪。",
        result="当场支付。",
        parties=list(other.parties.all()),
    )
    services.conclude_case(
        other, actor=mediator, outcome="oral_agreement", oral_content="公司当场支付工资1.8万元。"
    )
    _worked(
        org,
        summary=f"{CONTRACTOR}拖欠7名钢筋工工资约8万元，工人聚集在项目部讨薪。",
        applicant="王志刚",
        phone="13700004444",
        respondent=CONTRACTOR,
        people=7,
        amount="80000",
    )
    index_queued_now()  # the demo's cases are found by their words at once, not after the first sweep
    return 4
