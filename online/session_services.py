"""Writes of online mediation sessions (issue 19 item 1): schedule, invite by SMS, the party's first visit,
the thread (messages, files, the mediator's proposals and the parties' 同意/不同意), the time it really took
place, closing it into the session record and each party's 我已阅读并确认.

The session is the lifecycle's ``MediationSession`` (mode online, ``place`` the video link); its thread is the
case conversation (``CaseMessage`` rows, made by ``cases.portal.services.add_case_message`` with the
conversation's file checks) tagged by ``SessionPost``. Each entry point locks the case, writes one timeline
event with its actor and one security audit row.
"""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import SecurityAuditEvent, User
from accounts.services import client_ip, record_security_event
from accounts.sms import send_sms
from cases.core.identity import mask_name
from cases.core.models import Party
from cases.core.services import lock_case
from cases.core.states import WORKING_STATUSES, Status, move
from cases.lifecycle.models import MediationSession, SessionOutcome
from cases.lifecycle.selectors import is_case_mediator
from cases.portal.selectors import citizen_party_q
from cases.portal.services import add_case_message
from cases.warnings import sweep as warnings_sweep
from mediation_center.errors import DomainError, IllegalTransition, NotAllowed
from mediation_center.transactions import entry_point
from online import events
from online.access import session_link_token
from online.models import OnlineSession, ProposalAnswer, SessionParticipant, SessionPost

# The security audit has no type of its own for online sessions yet (a new choice is a migration in
# accounts): the steps are audited as API/portal calls with ``action`` naming the step.
AUDIT_TYPE = SecurityAuditEvent.Type.API


def _audit(action: str, *, request, user, online_session: OnlineSession, **detail) -> None:
    record_security_event(
        AUDIT_TYPE,
        request=request,
        user=user,
        detail={
            "action": action,
            "case": online_session.session.case_id,
            "online_session": online_session.pk,
            **detail,
        },
    )


def _lock(online_session: OnlineSession):
    """Lock the case, then the online session row; the returned session has its MediationSession loaded."""
    case = lock_case(online_session.session.case_id, "center")
    locked = OnlineSession.objects.select_for_update().select_related("session").get(pk=online_session.pk)
    locked.session.case = case
    return locked, case


def _require_mediator(actor: User, case) -> None:
    if not is_case_mediator(actor, case):
        raise NotAllowed(_("只有本案的调解员可以进行此操作。"))


def _require_open(online_session: OnlineSession) -> None:
    if online_session.is_closed:
        raise IllegalTransition(_("本次线上调解已结束，笔录已生成，不能再发言或修改。"))


def _check_party(citizen: User, party: Party, online_session: OnlineSession) -> SessionParticipant:
    """The participant row of ``party`` if ``citizen`` is that party (the link already said so; the service
    checks again so that no caller can skip it)."""
    if not Party.objects.filter(citizen_party_q(citizen), pk=party.pk).exists():
        raise NotAllowed(_("只有该当事人本人可以进行此操作。"))
    row = (
        SessionParticipant.objects.select_for_update()
        .filter(online_session=online_session, party=party)
        .first()
    )
    if row is None:
        raise NotAllowed(_("您不是本次线上调解的参加人。"))
    return row


# A planned or recorded time further than this from now is a typo (and year 1 or 9999 overflow on the way
# to UTC): refused with a reason instead.
TIME_WINDOW = timedelta(days=366)


def check_time(value: datetime, label: str) -> datetime:
    """``value`` if it lies within a year of now, else a refusal naming the field."""
    try:
        ok = abs(value - timezone.now()) <= TIME_WINDOW
    except (OverflowError, TypeError):
        ok = False
    if not ok:
        raise DomainError(_("%(label)s须在今天前后一年之内。") % {"label": label}, code="invalid")
    return value


def session_link(online_session: OnlineSession, party: Party) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
        "online:party_session", args=[session_link_token(online_session, party)]
    )


@entry_point
def schedule_online_session(
    case,
    *,
    actor: User,
    planned_at: datetime,
    video_url: str,
    parties: list[Party],
    request: HttpRequest | None = None,
) -> OnlineSession:
    """安排线上调解: an online MediationSession at ``planned_at`` with its video link, and the parties taking part."""
    check_time(planned_at, _("计划时间"))
    case = lock_case(case, "center")
    _require_mediator(actor, case)
    if case.status not in WORKING_STATUSES:
        raise IllegalTransition(_("案件已终结，不能再安排调解。"))
    parties = [p for p in parties if p.case_id == case.pk]
    if not parties:
        raise DomainError(_("请选择参加线上调解的本案当事人。"), code="invalid")
    # The record (调解经过) is written when the session closes, from its thread.
    session = MediationSession.objects.create(
        case=case,
        started_at=planned_at,
        mode=MediationSession.Mode.ONLINE,
        place=video_url,
        discussion="",
        recorded_by=actor,
    )
    session.parties.set(parties)
    session.mediators.set([actor])
    online_session = OnlineSession.objects.create(
        session=session, planned_at=planned_at, video_url=video_url, created_by=actor
    )
    SessionParticipant.objects.bulk_create(
        [SessionParticipant(online_session=online_session, party=p) for p in parties]
    )
    events.SESSION_SCHEDULED.record(
        case,
        actor=actor,
        data={
            "session": session.pk,
            "online_session": online_session.pk,
            "planned_at": planned_at.isoformat(),
            "parties": [p.name for p in parties],
        },
    )
    online_session.session.case = case
    _audit("online_session_schedule", request=request, user=actor, online_session=online_session)
    return online_session


@entry_point
def invite_to_session(
    online_session: OnlineSession, *, actor: User, parties: list[Party], request: HttpRequest | None = None
) -> list[Party]:
    """Text each chosen party a link into the session, bound to that party and expiring."""
    online_session, case = _lock(online_session)
    _require_mediator(actor, case)
    _require_open(online_session)
    wanted = {p.pk for p in parties}
    rows = [
        r
        for r in online_session.participants.select_for_update().select_related("party")
        if r.party_id in wanted and r.party.phone
    ]
    if not rows:
        raise DomainError(_("没有可以发送的当事人：须是本次调解的参加人并登记了手机号。"), code="invalid")
    now = timezone.now()
    planned = timezone.localtime(online_session.planned_at)
    for row in rows:
        text = _(
            "【矛调中心】%(name)s，您的案件 %(number)s 定于 %(time)s 线上调解，请登录后打开链接参加（%(hours)d 小时内有效）：%(link)s"
        )
        send_sms(
            row.party.phone,
            text
            % {
                "name": row.party.name,
                "number": case.number,
                "time": f"{planned:%m-%d %H:%M}",
                "hours": settings.ONLINE_SESSION_LINK_HOURS,
                "link": session_link(online_session, row.party),
            },
        )
        row.invited_at = now
        row.invitations += 1
        row.save(update_fields=["invited_at", "invitations"])
    invited = [r.party for r in rows]
    events.SESSION_INVITED.record(
        case,
        actor=actor,
        data={
            "online_session": online_session.pk,
            "parties": [p.name for p in invited],
            "party_ids": [p.pk for p in invited],
        },
    )
    _audit(
        "online_session_invite",
        request=request,
        user=actor,
        online_session=online_session,
        parties=[p.pk for p in invited],
    )
    return invited


@entry_point
def join_session(
    online_session: OnlineSession, *, party: Party, citizen: User, request: HttpRequest | None = None
) -> bool:
    """The party's first visit to the session (进入): recorded once; later visits change nothing."""
    online_session, case = _lock(online_session)
    row = _check_party(citizen, party, online_session)
    if row.joined_at is not None:
        return False
    row.joined_at = timezone.now()
    row.save(update_fields=["joined_at"])
    events.SESSION_JOINED.record(
        case,
        actor=citizen,
        data={"online_session": online_session.pk, "party": mask_name(party.name), "party_id": party.pk},
    )
    _audit(
        "online_session_join", request=request, user=citizen, online_session=online_session, party=party.pk
    )
    return True


@entry_point
def post_to_session(
    online_session: OnlineSession,
    *,
    actor: User,
    body: str,
    upload: UploadedFile | None = None,
    kind: str = SessionPost.Kind.MESSAGE,
    party: Party | None = None,
    request: HttpRequest | None = None,
) -> SessionPost:
    """Say something in the session's thread (text and/or a file); a proposal (调解方案) is the mediator's."""
    online_session, case = _lock(online_session)
    _require_open(online_session)
    if kind not in SessionPost.Kind.values:
        raise DomainError(_("发言类型不正确。"), code="invalid")
    if actor.kind == User.Kind.CITIZEN:
        if party is None or kind != SessionPost.Kind.MESSAGE:
            raise NotAllowed(_("当事人只能发言或上传文件。"))
        _check_party(actor, party, online_session)
    else:
        _require_mediator(actor, case)
        party = None
        if kind == SessionPost.Kind.PROPOSAL and (upload is not None or not (body or "").strip()):
            raise DomainError(_("请填写调解方案的内容（方案不附文件，文件请作为发言上传）。"), code="invalid")
    message = add_case_message(case, actor=actor, body=body, upload=upload)
    post = SessionPost.objects.create(message=message, online_session=online_session, kind=kind, party=party)
    event = events.SESSION_PROPOSAL if kind == SessionPost.Kind.PROPOSAL else events.SESSION_MESSAGE
    event.record(
        case,
        actor=actor,
        data={
            "online_session": online_session.pk,
            "message": message.pk,
            "from_staff": message.from_staff,
            "file": message.attachment.original_name if message.attachment else "",
        },
    )
    _audit(
        f"online_session_{kind}",
        request=request,
        user=actor,
        online_session=online_session,
        message=message.pk,
    )
    return post


@entry_point
def answer_proposal(
    post: SessionPost,
    *,
    party: Party,
    citizen: User,
    answer: str,
    request: HttpRequest | None = None,
) -> ProposalAnswer:
    """The party marks a proposal 同意 or 不同意 (and may change their mind until the session closes)."""
    online_session, case = _lock(post.online_session)
    _require_open(online_session)
    _check_party(citizen, party, online_session)
    post = SessionPost.objects.get(pk=post.pk)
    if post.online_session_id != online_session.pk or post.kind != SessionPost.Kind.PROPOSAL:
        raise DomainError(_("只能对调解员提出的调解方案表态。"), code="invalid")
    if answer not in ProposalAnswer.Answer.values:
        raise DomainError(_("请选择同意或不同意。"), code="invalid")
    row = ProposalAnswer.objects.filter(post=post, party=party).first()
    if row is not None and row.answer == answer:
        raise DomainError(_("您已作出同样的表态。"), code="unchanged")
    now = timezone.now()
    if row is None:
        row = ProposalAnswer.objects.create(
            post=post, party=party, answer=answer, answered_by=citizen, answered_at=now
        )
    else:
        row.answer, row.answered_by, row.answered_at = answer, citizen, now
        row.save(update_fields=["answer", "answered_by", "answered_at"])
    events.SESSION_PROPOSAL_ANSWERED.record(
        case,
        actor=citizen,
        data={
            "online_session": online_session.pk,
            "message": post.pk,
            "party": mask_name(party.name),
            "party_id": party.pk,
            "answer": answer,
        },
    )
    _audit(
        "online_session_answer",
        request=request,
        user=citizen,
        online_session=online_session,
        message=post.pk,
        answer=answer,
    )
    return row


@entry_point
def record_session_times(
    online_session: OnlineSession,
    *,
    actor: User,
    held_from: datetime,
    held_until: datetime | None = None,
    request: HttpRequest | None = None,
) -> OnlineSession:
    """Record when the session actually took place; the first one on a routed case starts the mediation."""
    check_time(held_from, _("实际开始时间"))
    if held_until is not None:
        check_time(held_until, _("实际结束时间"))
    online_session, case = _lock(online_session)
    _require_mediator(actor, case)
    _require_open(online_session)
    if held_until is not None and held_until < held_from:
        raise DomainError(_("结束时间不能早于开始时间。"), code="invalid")
    if held_from > timezone.now() + timedelta(minutes=5):
        raise DomainError(_("实际开始时间不能晚于现在。"), code="invalid")
    if (online_session.held_from, online_session.held_until) == (held_from, held_until):
        raise DomainError(_("没有需要保存的修改。"), code="unchanged")
    online_session.held_from, online_session.held_until = held_from, held_until
    online_session.save(update_fields=["held_from", "held_until"])
    session = online_session.session
    session.started_at = held_from
    session.save(update_fields=["started_at", "updated_at"])
    started = case.status == Status.ROUTED
    if started:
        move(case, Status.IN_MEDIATION)
    events.SESSION_HELD.record(
        case,
        actor=actor,
        data={
            "online_session": online_session.pk,
            "held_from": held_from.isoformat(),
            "held_until": held_until.isoformat() if held_until else "",
            "started_mediation": started,
        },
    )
    _audit("online_session_times", request=request, user=actor, online_session=online_session)
    return online_session


def _speaker(post: SessionPost) -> str:
    message = post.message
    if message.from_staff:
        return _("调解员 %(name)s") % {"name": str(message.author or _("工作人员"))}
    if post.party is not None:
        return f"{post.party.get_role_display()} {post.party.name}"
    return str(_("当事人"))


def build_record(online_session: OnlineSession, *, held_until: datetime) -> tuple[str, str]:
    """The session record made from the thread: the discussion (everything said, in order, with files) and
    the result (each proposal and every party's answer)."""
    posts = list(
        online_session.posts.select_related("message__author", "message__attachment", "party")
        .prefetch_related("answers")
        .order_by("message__created_at", "message_id")
    )
    participants = list(online_session.participants.select_related("party").order_by("party_id"))
    lines = [
        _("线上调解（视频会议：%(url)s）") % {"url": online_session.video_url},
        _("实际时间：%(start)s 至 %(end)s")
        % {
            "start": f"{timezone.localtime(online_session.held_from):%Y-%m-%d %H:%M}",
            "end": f"{timezone.localtime(held_until):%Y-%m-%d %H:%M}",
        },
        _("参加人：%(names)s")
        % {"names": "、".join(f"{r.party.get_role_display()} {r.party.name}" for r in participants)},
        "",
    ]
    proposals = []
    for post in posts:
        message = post.message
        when = f"{timezone.localtime(message.created_at):%m-%d %H:%M}"
        text = message.body
        if message.attachment is not None:
            text = (text + " " if text else "") + _("［文件：%(name)s］") % {
                "name": message.attachment.original_name
            }
        if post.kind == SessionPost.Kind.PROPOSAL:
            proposals.append(post)
            text = _("［调解方案 %(n)d］%(text)s") % {"n": len(proposals), "text": text}
        lines.append(f"[{when}] {_speaker(post)}：{text}")
    if not posts:
        lines.append(str(_("（本次调解在线上对话中没有发言。）")))
    result = []
    for n, post in enumerate(proposals, start=1):
        answers = {a.party_id: a for a in post.answers.all()}
        said = "；".join(
            f"{r.party.name}："
            + (answers[r.party_id].get_answer_display() if r.party_id in answers else str(_("未表态")))
            for r in participants
        )
        result.append(
            _("调解方案 %(n)d：%(text)s（%(said)s）") % {"n": n, "text": post.message.body, "said": said}
        )
    return "\n".join(str(line) for line in lines), "\n".join(str(line) for line in result)


def record_text(discussion: str, result: str) -> str:
    """The text a party reads and confirms (and whose SHA-256 is kept with the confirmation)."""
    return discussion + ("\n\n" + _("调解结果：") + "\n" + result if result else "")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@entry_point
def close_online_session(
    online_session: OnlineSession, *, actor: User, outcome: str = "", request: HttpRequest | None = None
) -> OnlineSession:
    """结束调解: everything said becomes the session record (kept as it is), and each party is texted a link to
    read and confirm it."""
    online_session, case = _lock(online_session)
    _require_mediator(actor, case)
    _require_open(online_session)
    if online_session.held_from is None:
        raise IllegalTransition(_("请先记录本次调解的实际开始时间。"))
    if outcome and outcome not in SessionOutcome.values:
        raise DomainError(_("本次调解结论不正确。"), code="invalid")
    now = timezone.now()
    held_until = online_session.held_until or now
    discussion, result = build_record(online_session, held_until=held_until)
    text = record_text(discussion, result)
    online_session.held_until = held_until
    online_session.record_text = text
    online_session.record_sha256 = sha256_text(text)
    online_session.closed_at, online_session.closed_by = now, actor
    online_session.save(
        update_fields=["held_until", "record_text", "record_sha256", "closed_at", "closed_by"]
    )
    session = online_session.session
    session.discussion, session.result, session.outcome = discussion, result, outcome
    session.save(update_fields=["discussion", "result", "outcome", "updated_at"])
    rows = list(online_session.participants.select_related("party"))
    session.parties.set([r.party for r in rows if r.joined_at is not None] or [r.party for r in rows])
    for row in rows:
        if row.party.phone:
            sms = _(
                "【矛调中心】%(name)s，您的案件 %(number)s 线上调解笔录已生成，请登录后打开链接阅读并确认：%(link)s"
            )
            send_sms(
                row.party.phone,
                sms
                % {
                    "name": row.party.name,
                    "number": case.number,
                    "link": session_link(online_session, row.party),
                },
            )
    events.SESSION_CLOSED.record(
        case,
        actor=actor,
        data={
            "online_session": online_session.pk,
            "session": session.pk,
            "record_sha256": online_session.record_sha256,
            "outcome": outcome,
        },
    )
    _audit("online_session_close", request=request, user=actor, online_session=online_session)
    if outcome:
        warnings_sweep.on_case_changed(case, actor=actor)  # failed sessions feed the risk level
    return online_session


@entry_point
def confirm_session_record(
    online_session: OnlineSession,
    *,
    party: Party,
    citizen: User,
    record_sha256: str,
    request: HttpRequest | None = None,
) -> SessionParticipant:
    """我已阅读并确认: the party confirms the record whose SHA-256 their page showed."""
    online_session, case = _lock(online_session)
    row = _check_party(citizen, party, online_session)
    if not online_session.is_closed:
        raise IllegalTransition(_("调解尚未结束，笔录还未生成。"))
    if row.confirmed_at is not None:
        raise DomainError(_("您已确认本次调解笔录。"), code="unchanged")
    if (record_sha256 or "").strip().lower() != online_session.record_sha256:
        raise DomainError(_("笔录内容与您阅读的版本不一致，请刷新页面重新阅读后再确认。"), code="changed")
    row.confirmed_at = timezone.now()
    row.confirmed_by = citizen
    row.confirmed_ip = client_ip(request)
    row.confirmed_user_agent = (request.META.get("HTTP_USER_AGENT", "") if request else "")[:300]
    row.confirmed_sha256 = online_session.record_sha256
    row.save(
        update_fields=[
            "confirmed_at",
            "confirmed_by",
            "confirmed_ip",
            "confirmed_user_agent",
            "confirmed_sha256",
        ]
    )
    events.SESSION_CONFIRMED.record(
        case,
        actor=citizen,
        data={
            "online_session": online_session.pk,
            "party": mask_name(party.name),
            "party_id": party.pk,
            "record_sha256": row.confirmed_sha256,
        },
    )
    _audit(
        "online_session_confirm",
        request=request,
        user=citizen,
        online_session=online_session,
        party=party.pk,
        record_sha256=row.confirmed_sha256,
    )
    return row
