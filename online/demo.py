"""Demo data for online signing: an agreement put up for electronic signature, both parties texted their
links, the respondent signed on the phone; the applicant (the demo citizen, 13800138000) has yet to sign."""

from datetime import timedelta

from django.test.client import RequestFactory
from django.utils import timezone

from accounts.models import User
from cases.core.models import Case
from cases.lifecycle import services as lifecycle
from online import services
from online.documents import render_signing_pdf
from online.models import SigningCode

RESPONDENT_PHONE = "13912340001"
DEMO_CODE = "246810"


def build(org: dict) -> int:
    from cases.lifecycle.demo import _routed

    mediator = org["users"]["mediator"]
    case = _routed(org, "物业公司拖欠保安 2 个月工资 9000 元，双方同意线上调解。", ("张群众", "某物业公司"))
    case.parties.filter(name="某物业公司").update(phone=RESPONDENT_PHONE)
    lifecycle.record_session(
        case,
        actor=mediator,
        started_at=timezone.now() - timedelta(hours=3),
        mode="online",
        place="线上视频调解",
        discussion="双方在线陈述，物业公司同意分两期支付。",
        result="达成一致，待电子签署协议。",
        outcome="agreed",
        parties=list(case.parties.all()),
    )
    agreement = lifecycle.save_agreement(
        case,
        actor=mediator,
        facts="某物业公司拖欠张群众 2 个月工资共计 9000 元。",
        issues="欠薪数额与支付期限。",
        responsibilities="某物业公司应承担支付责任。",
        terms=[
            lifecycle.TermData(
                "某物业公司向张群众支付工资 4500 元", "银行转账", timezone.localdate() + timedelta(days=7)
            ),
            lifecycle.TermData(
                "某物业公司向张群众支付剩余工资 4500 元",
                "银行转账",
                timezone.localdate() + timedelta(days=30),
            ),
        ],
    )
    pdf, digest = render_signing_pdf(agreement)
    case = Case.objects.get(pk=case.pk)
    services.invite_to_sign(
        agreement, actor=mediator, parties=list(case.parties.all()), pdf=pdf, digest=digest
    )
    version = services.current_version(agreement)
    respondent = case.parties.get(name="某物业公司")
    signer, _created = User.objects.get_or_create(
        username="demo-citizen-wuye",
        defaults={"kind": User.Kind.CITIZEN, "phone": RESPONDENT_PHONE, "display_name": "某物业公司经办人"},
    )
    request = RequestFactory().post("/", HTTP_USER_AGENT="Mozilla/5.0 (iPhone; demo)")
    row = services.send_signing_code(version, party=respondent, citizen=signer, request=request)
    # The texted code goes to a phone nobody holds in a demo: the row is given a known one instead.
    SigningCode.objects.filter(pk=row.pk).update(
        code_hash=services._code_hash(row.phone, version.pk, respondent.pk, DEMO_CODE)
    )
    services.sign_electronically(version, party=respondent, citizen=signer, code=DEMO_CODE, request=request)
    return 1
