"""Demo data for intake: an online application waiting at the window, a 12345 push, a repeat visit."""

from accounts.models import ExternalSystem
from cases.core.models import Case, DisputeType, Party, Source
from cases.core.states import Status
from cases.intake.services import CaseData, PartyData, register_case


def build_demo_intake(org: dict) -> int:
    county = org["centers"]["county"]
    clerk = org["users"]["clerk"]
    register_case(
        center=county,
        actor=org["users"]["citizen"],
        status=Status.SUBMITTED,
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
