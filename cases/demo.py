"""Demo cases for the run command, registered through the real services so timelines exist."""

from decimal import Decimal

from cases.core.models import DisputeType, Party, Source
from cases.intake.services import CaseData, PartyData, register_case
from cases.warnings.services import build_demo_warnings

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


def build_demo_cases(org: dict) -> int:
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
    # Route the counter cases first, so the intake demo's own cases stay waiting at the window.
    from routing.demo import build_demo_routing

    build_demo_routing(org)
    from cases.intake.demo import build_demo_intake

    build_demo_intake(org)
    from cases.portal.services import build_demo_portal

    build_demo_portal(org)
    build_demo_warnings(org)
    from cases.lifecycle.demo import build_demo_lifecycle

    lifecycle_cases = build_demo_lifecycle(org)
    from cases.core.demo import build_demo_levels

    level_cases = build_demo_levels(org)
    return len(DEMO_CASES) + lifecycle_cases + level_cases
