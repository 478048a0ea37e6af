"""Shared setup for the lifecycle tests: cases brought to each stage through the real services."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from cases.core.states import move
from cases.lifecycle import services
from cases.models import Case, Status, TerminationNotice


def route(case: Case, channel) -> Case:
    """Setup: the case routed to ``channel`` (status ROUTED) with that channel's mediators of its
    center assigned, so the lifecycle starts from a routed case with its mediators known."""
    from accounts.models import Membership
    from routing.models import CaseAssignment

    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.channel = channel
        move(case, Status.ROUTED, extra_fields=("channel",))
        mediators = Membership.objects.filter(
            center=case.center, channel=channel, role=Membership.Role.MEDIATOR
        )
        CaseAssignment.objects.bulk_create(
            [
                CaseAssignment(case=case, mediator_id=m.user_id, is_lead=i == 0, how="assign")
                for i, m in enumerate(mediators)
            ]
        )
    return case


def session(case: Case, mediator, **overrides):
    values = {
        "started_at": timezone.now(),
        "mode": "in_person",
        "place": "中心调解室",
        "discussion": "双方陈述了欠薪经过，公司承认拖欠三个月工资。",
        "result": "初步同意分两期支付。",
        "parties": list(case.parties.all()),
    }
    values.update(overrides)
    return services.record_session(case, actor=mediator, **values)


def draft(case: Case, mediator, *, terms=None):
    return services.save_agreement(
        case,
        actor=mediator,
        facts="李四拖欠张三工资人民币三万元。",
        issues="欠薪数额及支付时间。",
        responsibilities="李四应承担支付责任。",
        terms=terms
        or [
            services.TermData(
                "李四向张三支付工资人民币两万元", "银行转账", timezone.localdate() + timedelta(days=20)
            ),
            services.TermData(
                "李四向张三支付剩余工资人民币一万元", "现金支付", timezone.localdate() + timedelta(days=40)
            ),
        ],
    )


def make_effective(case: Case, mediator, **kwargs):
    agreement = draft(case, mediator, **kwargs)
    return services.sign_agreement(
        agreement, actor=mediator, parties=list(case.parties.all()), mediator=True, seal=True
    )


@pytest.fixture
def routed_case(make_case, world, mediator):
    return route(make_case(), world.channels["specialist"])


@pytest.fixture
def mediating_case(routed_case, mediator):
    session(routed_case, mediator)
    return Case.objects.get(pk=routed_case.pk)


@pytest.fixture
def concluded_case(mediating_case, mediator):
    make_effective(mediating_case, mediator)
    return services.conclude_case(mediating_case, actor=mediator, outcome="written_agreement")


@pytest.fixture
def evaluated_case(concluded_case, supervisor):
    services.evaluate_case(
        concluded_case,
        actor=supervisor,
        outcome_correct=True,
        documents_complete=True,
        on_time=True,
        comment="处理得当，文书齐全。",
    )
    return Case.objects.get(pk=concluded_case.pk)


@pytest.fixture
def closed_case(evaluated_case, mediator):
    return services.close_case(evaluated_case, actor=mediator, summary="双方达成协议，已结案。")


@pytest.fixture
def failed_case(mediating_case, mediator):
    return services.conclude_case(
        mediating_case,
        actor=mediator,
        outcome="failed",
        reason="被申请人不同意任何支付方案。",
        routes=[TerminationNotice.Route.ARBITRATION, TerminationNotice.Route.COURT],
    )
