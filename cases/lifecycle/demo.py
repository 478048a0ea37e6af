"""Demo data for the lifecycle: one case closed with an agreement and a visit due, one in mediation."""

from datetime import timedelta

from django.utils import timezone

from cases.core.models import Case, DisputeType, Party
from cases.intake.services import CaseData, PartyData, register_case
from cases.lifecycle import services
from routing.models import Channel
from routing.services import claim_case, route_case


def _routed(org: dict, summary: str, names: tuple[str, str]) -> Case:
    case = register_case(
        center=org["centers"]["county"],
        actor=org["users"]["clerk"],
        data=CaseData(
            dispute_type=DisputeType.objects.get(code="labour"),
            summary=summary,
            claims="支付拖欠工资",
            parties=[
                PartyData(role=Party.Role.APPLICANT, name=names[0], phone="13800138000"),
                PartyData(role=Party.Role.RESPONDENT, name=names[1], phone="13912345678"),
            ],
        ),
    )
    case = route_case(
        case,
        actor=org["users"]["clerk"],
        channel=Channel.objects.get(code="specialist"),
        center=org["centers"]["county"],
        departments=[],
        override_reason="演示：由县中心专调承办",
    )
    claim_case(case, actor=org["users"]["mediator"])
    return Case.objects.get(pk=case.pk)


def build_demo_lifecycle(org: dict) -> int:
    mediator, supervisor = org["users"]["mediator"], org["users"]["supervisor"]
    today = timezone.localdate()

    closed = _routed(org, "某餐馆拖欠厨师两个月工资 1.2 万元。", ("黄师傅", "某餐馆"))
    services.record_session(
        closed,
        actor=mediator,
        started_at=timezone.now() - timedelta(days=3),
        mode="in_person",
        place="中心一楼调解室",
        discussion="双方到场，餐馆承认欠薪，提出分期支付。",
        result="达成一致。",
        parties=list(closed.parties.all()),
    )
    agreement = services.save_agreement(
        closed,
        actor=mediator,
        facts="某餐馆拖欠黄师傅 2 个月工资共计 12000 元。",
        issues="欠薪数额与支付期限。",
        responsibilities="某餐馆应承担支付责任。",
        terms=[
            services.TermData("某餐馆向黄师傅支付工资 6000 元", "银行转账", today + timedelta(days=10)),
            services.TermData("某餐馆向黄师傅支付剩余工资 6000 元", "银行转账", today + timedelta(days=40)),
        ],
    )
    services.sign_agreement(
        agreement, actor=mediator, parties=list(closed.parties.all()), mediator=True, seal=True
    )
    services.conclude_case(closed, actor=mediator, outcome="written_agreement")
    services.evaluate_case(
        closed,
        actor=supervisor,
        outcome_correct=True,
        documents_complete=True,
        on_time=True,
        comment="处理及时，文书齐全。",
    )
    services.close_case(closed, actor=mediator, summary="双方达成书面协议。", money_covered=12000)

    ongoing = _routed(org, "装修公司拖欠 3 名工人工资。", ("吴工", "某装修公司"))
    services.record_session(
        ongoing,
        actor=mediator,
        started_at=timezone.now() - timedelta(days=1),
        mode="phone",
        discussion="电话联系装修公司负责人，约定下周面谈。",
        parties=list(ongoing.parties.all()),
    )
    return 2
