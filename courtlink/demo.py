"""Demo data of the court hand-off: an agreement confirmed by the court, one submitted with three days of its
window left (warned by the sweep first), and a failed mediation referred to litigation. The county court's
system (``court``, user ``system-court``) is registered so its progress pushes can be tried on the API."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import ExternalSystem, User
from cases.core.models import Case
from cases.lifecycle import services as lifecycle
from courtlink import services
from courtlink.deadlines import sweep_confirmation_windows
from courtlink.models import Handoff
from courtlink.package import assemble

COURT = "测试县人民法院"


def _court_system(org: dict) -> User:
    user, _created = User.objects.get_or_create(
        username="system-court", defaults={"display_name": "县人民法院诉讼服务平台", "kind": User.Kind.SYSTEM}
    )
    ExternalSystem.objects.get_or_create(
        code="court",
        defaults={
            "name": "县人民法院诉讼服务平台",
            "user": user,
            "center": org["centers"]["county"],
            "source": "court_referral",
        },
    )
    Token.objects.get_or_create(user=user)
    return user


def _agreed(org: dict, summary: str, names: tuple[str, str], *, effective_days_ago: int) -> Case:
    from cases.lifecycle.demo import _routed

    mediator = org["users"]["mediator"]
    case = _routed(org, summary, names)
    at = timezone.now() - timedelta(days=effective_days_ago)
    lifecycle.record_session(
        case,
        actor=mediator,
        started_at=at - timedelta(hours=2),
        mode="in_person",
        place="中心调解室",
        discussion="双方到场陈述，经释法说理，同意按协议履行。",
        result="达成一致。",
        outcome="agreed",
        parties=list(case.parties.all()),
    )
    agreement = lifecycle.save_agreement(
        case,
        actor=mediator,
        facts=f"{names[1]}拖欠{names[0]}劳务报酬。",
        issues="拖欠数额与支付期限。",
        responsibilities=f"{names[1]}应承担支付责任。",
        terms=[
            lifecycle.TermData(
                f"{names[1]}向{names[0]}支付劳务报酬", "银行转账", timezone.localdate() + timedelta(days=15)
            )
        ],
    )
    lifecycle.sign_agreement(
        agreement, actor=mediator, parties=list(case.parties.all()), mediator=True, seal=True, at=at
    )
    lifecycle.conclude_case(case, actor=mediator, outcome="written_agreement")
    return Case.objects.get(pk=case.pk)


def _prepare(case: Case, actor: User, kind: str, route: str) -> Handoff:
    assembled = assemble(case, kind=kind, route=route, court_name=COURT)
    return services.prepare_handoff(case, actor=actor, assembled=assembled, court_name=COURT)


def build(org: dict) -> int:
    mediator = org["users"]["mediator"]
    court = _court_system(org)

    confirmed = _agreed(
        org, "某建材店拖欠搬运工报酬 6000 元。", ("钱师傅", "某建材店"), effective_days_ago=12
    )
    handoff = _prepare(confirmed, mediator, Handoff.Kind.CONFIRMATION, Handoff.Route.JUDICIAL_CONFIRMATION)
    services.record_court_progress(handoff, actor=mediator, to=Handoff.Status.SUBMITTED)
    services.receive_court_update(
        handoff, system=court, to=Handoff.Status.ACCEPTED, court_reference="(2026)测0102民特18号"
    )
    services.receive_court_update(
        handoff, system=court, to=Handoff.Status.CONFIRMED, note="裁定确认调解协议有效。"
    )

    near = _agreed(org, "某快递站拖欠分拣员工资 8000 元。", ("孙女士", "某快递站"), effective_days_ago=27)
    sweep_confirmation_windows()  # three days left: the warning goes up first
    handoff = _prepare(near, mediator, Handoff.Kind.CONFIRMATION, Handoff.Route.JUDICIAL_CONFIRMATION)
    services.record_court_progress(
        handoff, actor=mediator, to=Handoff.Status.SUBMITTED, note="已现场递交立案庭。"
    )

    from cases.lifecycle.demo import _routed

    failed = _routed(org, "某培训机构拒不退还学费 1.5 万元。", ("周先生", "某培训机构"))
    lifecycle.record_session(
        failed,
        actor=mediator,
        started_at=timezone.now() - timedelta(days=2),
        mode="in_person",
        place="中心调解室",
        discussion="培训机构坚持只退 3000 元，申请人不接受。",
        result="未达成一致。",
        outcome="failed",
        parties=list(failed.parties.all()),
    )
    lifecycle.conclude_case(
        failed,
        actor=mediator,
        outcome="failed",
        reason="双方对退费数额分歧过大，经两次调解仍未达成一致。",
        routes=["court"],
    )
    _prepare(Case.objects.get(pk=failed.pk), mediator, Handoff.Kind.LITIGATION, Handoff.Route.LITIGATION)
    return 3
