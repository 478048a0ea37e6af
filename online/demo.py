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


SESSION_RESPONDENT_PHONE = "13912340002"


def build_session(org: dict) -> int:
    """One online session held and closed: a thread with a file-less exchange, a proposal both answered,
    the record generated, the respondent confirmed on the phone; the demo citizen (13800138000) has yet to
    confirm it under 线上调解 in the portal."""
    from cases.lifecycle.demo import _routed
    from online import session_services as sessions

    mediator = org["users"]["mediator"]
    case = _routed(org, "餐馆拖欠厨师 1 个月工资 6000 元，双方同意线上视频调解。", ("张群众", "某餐饮店"))
    case.parties.filter(name="某餐饮店").update(phone=SESSION_RESPONDENT_PHONE)
    parties = list(case.parties.order_by("pk"))
    applicant, respondent = parties
    online_session = sessions.schedule_online_session(
        case,
        actor=mediator,
        planned_at=timezone.now() - timedelta(hours=2),
        video_url="https://meeting.example.cn/j/20261201",
        parties=parties,
    )
    sessions.invite_to_session(online_session, actor=mediator, parties=parties)
    citizen = User.objects.filter(kind=User.Kind.CITIZEN, phone="13800138000").first()
    owner, _created = User.objects.get_or_create(
        username="demo-citizen-canyin",
        defaults={
            "kind": User.Kind.CITIZEN,
            "phone": SESSION_RESPONDENT_PHONE,
            "display_name": "某餐饮店经办人",
        },
    )
    request = RequestFactory().post("/", HTTP_USER_AGENT="Mozilla/5.0 (Android; demo)")
    sessions.record_session_times(
        online_session, actor=mediator, held_from=timezone.now() - timedelta(hours=2)
    )
    if citizen is not None:
        sessions.join_session(online_session, party=applicant, citizen=citizen, request=request)
        sessions.post_to_session(
            online_session, actor=citizen, party=applicant, body="我在店里干了一个月，工资 6000 元一直没发。"
        )
    sessions.join_session(online_session, party=respondent, citizen=owner, request=request)
    sessions.post_to_session(
        online_session, actor=owner, party=respondent, body="最近生意不好，能不能分两次付？"
    )
    proposal = sessions.post_to_session(
        online_session,
        actor=mediator,
        kind="proposal",
        body="某餐饮店本月 15 日前支付 3000 元，下月 15 日前支付剩余 3000 元。",
    )
    if citizen is not None:
        sessions.answer_proposal(proposal, party=applicant, citizen=citizen, answer="agree")
    sessions.answer_proposal(proposal, party=respondent, citizen=owner, answer="agree")
    online_session = sessions.close_online_session(online_session, actor=mediator, outcome="agreed")
    sessions.confirm_session_record(
        online_session,
        party=respondent,
        citizen=owner,
        record_sha256=online_session.record_sha256,
        request=request,
    )
    return 1
