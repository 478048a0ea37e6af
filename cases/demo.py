"""Demo data for the run command: each sub-domain's demo in order, and cases worked at every level
(county, town, village), all through the real services so timelines exist."""

from datetime import timedelta

from django.utils import timezone

from cases.core.models import Case, DisputeType, Party
from cases.intake.demo import build_demo_counter, build_demo_intake
from cases.intake.services import CaseData, PartyData, register_case
from cases.lifecycle import services
from cases.lifecycle.demo import build_demo_lifecycle
from cases.lifecycle.models import FollowUpVisit, Satisfaction
from cases.portal.demo import build_demo_portal
from cases.warnings.demo import build_demo_warnings
from routing.demo import build_demo_routing
from routing.services import claim_case, route_case


def build_demo_cases(org: dict) -> int:
    """Every sub-domain's demo, in an order that leaves something in each queue; returns the cases made."""
    counter_cases = build_demo_counter(org)
    # Route the counter cases first, so the intake demo's own cases stay waiting at the window.
    build_demo_routing(org)
    build_demo_intake(org)
    build_demo_portal(org)
    build_demo_warnings(org)
    lifecycle_cases = build_demo_lifecycle(org)
    level_cases = build_demo_levels(org)
    return counter_cases + lifecycle_cases + level_cases


def _register(org: dict, center_key: str, clerk: str, type_code: str, summary: str, names) -> Case:
    return register_case(
        center=org["centers"][center_key],
        actor=org["users"][clerk],
        data=CaseData(
            dispute_type=DisputeType.objects.get(code=type_code),
            summary=summary,
            parties=[
                PartyData(role=Party.Role.APPLICANT, name=names[0], phone="13800138000"),
                PartyData(role=Party.Role.RESPONDENT, name=names[1], phone="13912345678"),
            ],
        ),
    )


def _work_to_close(case: Case, *, clerk, mediator, supervisor, place: str, terms: list, summary: str) -> Case:
    """Route as suggested (the rules keep these cases at their own level), claim, mediate, agree, close."""
    route_case(case, actor=clerk)
    claim_case(case, actor=mediator)
    parties = list(case.parties.all())
    services.record_session(
        case,
        actor=mediator,
        started_at=timezone.now() - timedelta(days=2),
        mode="in_person",
        place=place,
        discussion="双方到场陈述，调解员释法说理，双方各让一步。",
        result="达成一致。",
        parties=parties,
    )
    agreement = services.save_agreement(
        case,
        actor=mediator,
        facts=case.summary,
        issues="双方权利义务的划分。",
        responsibilities="双方按约定各自履行。",
        terms=terms,
    )
    services.sign_agreement(agreement, actor=mediator, parties=parties, mediator=True, seal=True)
    services.conclude_case(case, actor=mediator, outcome="written_agreement")
    services.evaluate_case(
        case,
        actor=supervisor,
        outcome_correct=True,
        documents_complete=True,
        on_time=True,
        comment="就地化解，文书齐全。",
    )
    return services.close_case(case, actor=mediator, summary=summary)


def build_demo_levels(org: dict) -> int:
    """Six cases: at 城关镇 and at its 东村 committee, one closed with a visit, one in mediation, one at the window."""
    users = org["users"]
    today = timezone.localdate()
    town_case = _register(
        org,
        "town1",
        "town_clerk",
        "land_contracting",
        "两户村民对承包地边界有争议，互不相让。",
        ("钱大伯", "孙二叔"),
    )
    _work_to_close(
        town_case,
        clerk=users["town_clerk"],
        mediator=users["town_mediator"],
        supervisor=users["town_supervisor"],
        place="城关镇矛调中心调解室",
        terms=[
            services.TermData(
                "双方按二轮承包合同重新确定地界并埋设界桩", "现场确认", today + timedelta(days=20)
            )
        ],
        summary="双方确认地界，达成书面协议。",
    )  # its visits stay due, for the town mediator's 待回访 list

    village_case = _register(
        org,
        "village11",
        "village_clerk",
        "neighbour",
        "邻居在院墙边堆放柴草，另一户担心火灾隐患。",
        ("冯大姐", "郑大哥"),
    )
    village_case = _work_to_close(
        village_case,
        clerk=users["village_clerk"],
        mediator=users["village_mediator"],
        # The committee has no supervisor of its own: the town's evaluates, as it supervises its villages.
        supervisor=users["town_supervisor"],
        place="东村村委会",
        terms=[services.TermData("郑大哥三日内将柴草移至自家后院", "自行搬移", today + timedelta(days=3))],
        summary="柴草已约定移走，双方和好。",
    )
    visit = (
        FollowUpVisit.objects.filter(case=village_case, visited_at__isnull=True).order_by("due_on").first()
    )
    services.record_follow_up(
        visit,
        actor=users["village_mediator"],
        method=FollowUpVisit.Method.IN_PERSON,
        performance=FollowUpVisit.Performance.PERFORMED,
        satisfaction=Satisfaction.VERY_SATISFIED,
        notes="柴草已移走，双方关系缓和。",
    )

    # In mediation with each level's mediator, so it is in their queue (claimed) with a session.
    for center_key, clerk, mediator, type_code, summary, names in (
        (
            "town1",
            "town_clerk",
            "town_mediator",
            "land_contracting",
            "村民反映邻村承包户越界耕种。",
            ("吴大哥", "钱某"),
        ),
        (
            "village11",
            "village_clerk",
            "village_mediator",
            "neighbour",
            "楼上住户空调滴水，楼下多次协商未果。",
            ("孙阿姨", "周先生"),
        ),
    ):
        case = _register(org, center_key, clerk, type_code, summary, names)
        route_case(case, actor=users[clerk])
        claim_case(case, actor=users[mediator])
        services.record_session(
            case,
            actor=users[mediator],
            started_at=timezone.now() - timedelta(hours=3),
            mode="phone",
            discussion="电话联系双方，约定周五现场查看。",
            parties=list(case.parties.all()),
        )

    # Waiting at each window for a newcomer to route, claim and work.
    _register(
        org, "town1", "town_clerk", "labour", "镇上一家工厂拖欠两名工人一个月工资。", ("周师傅", "某服装厂")
    )
    _register(
        org,
        "village11",
        "village_clerk",
        "family",
        "兄弟二人因赡养老人的费用分担发生争执。",
        ("冯老大", "冯老二"),
    )
    return 6
