"""Demo data for intake: five counter cases, an online application waiting at the window, a 12345 push,
a repeat visit."""

from decimal import Decimal

from django.utils import timezone

from accounts.models import ExternalSystem
from cases.core.models import Case, DisputeType, Party, Source
from cases.intake.services import CaseData, PartyData, register_case
from cases.portal import privacy
from cases.portal.services import submit_online_application

DEMO_CASES = [
    (
        "labour",
        "某建筑公司拖欠 12 名农民工工资共计 36 万元，工人多次讨要未果。",
        "支付拖欠工资",
        "360000",
        12,
        True,
    ),
    ("neighbour", "邻居装修占用公共楼道，双方多次争吵。", "恢复楼道通行", None, 2, False),
    (
        "traffic",
        "电动车与小轿车碰撞，一人轻伤，双方对赔偿金额有争议。",
        "赔偿医疗费、误工费",
        "18000",
        2,
        False,
    ),
    ("medical", "患者术后出现并发症，家属认为医院存在过错。", "赔偿并道歉", "120000", 3, False),
    ("family", "离婚后子女抚养费支付纠纷。", "按月支付抚养费", "24000", 2, False),
]


def build_demo_counter(org: dict) -> int:
    """Five cases registered at the county's counter (窗口来访), one per common dispute type."""
    clerk = org["users"]["clerk"]
    county = org["centers"]["county"]
    for index, (code, summary, claims, amount, people, risk) in enumerate(DEMO_CASES):
        register_case(
            center=county,
            actor=clerk,
            data=CaseData(
                dispute_type=DisputeType.objects.get(code=code),
                summary=summary,
                claims=claims,
                amount=Decimal(amount) if amount else None,
                people_count=people,
                source=Source.COUNTER,
                risk_mass_incident=risk,
                is_group=people > 5,
                parties=[
                    PartyData(
                        role=Party.Role.APPLICANT,
                        name=["张伟", "李娜", "王芳", "刘洋", "陈静"][index],
                        id_type=Party.IdType.RESIDENT_ID,
                        id_number="11010519491231002X",
                        sex="F",
                        phone="13800138000",
                    ),
                    PartyData(
                        role=Party.Role.RESPONDENT,
                        name=["某建筑公司", "赵强", "孙磊", "县人民医院", "周杰"][index],
                        kind=Party.Kind.LEGAL if index in (0, 3) else Party.Kind.PERSON,
                        phone="13912345678",
                    ),
                ],
            ),
        )
    return len(DEMO_CASES)


def build_demo_intake(org: dict) -> int:
    county = org["centers"]["county"]
    clerk = org["users"]["clerk"]
    # The online application waiting at the window, sent as the portal sends one: with the privacy consent.
    submit_online_application(
        citizen=org["users"]["citizen"],
        center=county,
        consent=privacy.Consent(
            version=privacy.NOTICE_VERSION, sha256=privacy.notice_sha256(), consented_at=timezone.now()
        ),
        data=CaseData(
            dispute_type=DisputeType.objects.get(code="property"),
            summary="小区物业长期不维修电梯，业主多次投诉无果。",
            claims="维修电梯，减免部分物业费",
            source=Source.ONLINE,
            parties=[
                PartyData(role=Party.Role.APPLICANT, name="吴敏", phone="13800138000"),
                PartyData(role=Party.Role.RESPONDENT, name="某物业服务公司", kind=Party.Kind.LEGAL),
            ],
        ),
    )
    system = ExternalSystem.objects.filter(code="hotline_12345").select_related("user").first()
    if system is not None:
        register_case(
            center=system.center,
            actor=system.user,
            data=CaseData(
                dispute_type=DisputeType.objects.get(code="consumer"),
                summary="市民来电反映网购家电质量问题，商家拒绝退换。",
                source=system.source,
                external_system=system.code,
                external_id="12345-DEMO-0001",
                raw_payload={"service_code": "consumer", "external_id": "12345-DEMO-0001"},
                parties=[
                    PartyData(role=Party.Role.APPLICANT, name="郑浩", phone="13912345678"),
                    PartyData(role=Party.Role.RESPONDENT, name="某电器商行", kind=Party.Kind.ORGANISATION),
                ],
            ),
        )
    earlier = Case.objects.filter(origin_center=county, summary__startswith="某建筑公司拖欠").first()
    if earlier is not None:
        register_case(
            center=county,
            actor=clerk,
            repeat_of=earlier,
            data=CaseData(
                dispute_type=earlier.dispute_type,
                summary="农民工再次来访，反映拖欠工资仍未支付。",
                source=Source.COUNTER,
                people_count=5,
                is_group=True,
                risk_upward_petition=True,
                parties=[
                    PartyData(
                        role=Party.Role.APPLICANT,
                        name="张伟",
                        id_type=Party.IdType.RESIDENT_ID,
                        id_number="11010519491231002X",
                        sex="F",
                        phone="13800138000",
                        is_representative=True,
                    ),
                    PartyData(role=Party.Role.RESPONDENT, name="某建筑公司", kind=Party.Kind.LEGAL),
                ],
            ),
        )
    return 3
