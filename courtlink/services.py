"""Writes of the court hand-off: prepare a package (judicial confirmation or a referral to the court), and
move it along ``MOVES`` as staff enter the court's answers or the court's system pushes them. Each entry
point locks the case, checks who may act, writes one timeline event with its actor; the package's full
identity is written to the security audit (查看敏感信息, reason 申请司法确认 / 诉调对接).

The package is rendered by the caller before the service runs (never inside the transaction); the service
checks that what it was rendered from is still the case's agreement or termination notice.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import SecurityAuditEvent, User
from accounts.services import record_security_event
from accounts.sms import send_sms
from cases.core.models import Case
from cases.core.services import lock_case
from cases.core.states import FINISHED_STATUSES
from cases.lifecycle.selectors import lifecycle_of
from cases.warnings import sweep as warnings_sweep
from courtlink import access, events
from courtlink.models import FINAL_STATUSES, MOVES, ConfirmationDeadline, Handoff, HandoffPart
from courtlink.package import Assembled, manifest_bytes, manifest_for, sha256_of
from mediation_center.errors import DomainError, IllegalTransition, NotAllowed
from mediation_center.transactions import entry_point

S = Handoff.Status


class InvalidHandoffInput(DomainError):
    code = "invalid"
    http_status = 400


LITIGATION_OUTCOMES = ("failed", "refused", "transferred")
LITIGATION_ROUTES = (Handoff.Route.COURT_MEDIATION, Handoff.Route.LITIGATION)


def _check_confirmation(case: Case, assembled: Assembled, today: dt.date):
    agreement = lifecycle_of(case).agreement
    if agreement is None or not agreement.is_effective:
        raise IllegalTransition(_("调解协议生效后才能申请司法确认。"))
    if agreement.pk != assembled.agreement_id:
        raise IllegalTransition(_("调解协议刚刚有变化，请重新准备申请材料。"))
    deadline = agreement.confirmation_deadline
    if deadline is not None and today > deadline:
        raise IllegalTransition(
            _("申请司法确认的期限已于 %(date)s 届满（调解协议生效之日起 %(days)d 日内），不能再申请。")
            % {"date": deadline.isoformat(), "days": settings.JUDICIAL_CONFIRMATION_DAYS}
        )
    return agreement


def _check_litigation(case: Case, assembled: Assembled):
    if case.status not in FINISHED_STATUSES or case.outcome not in LITIGATION_OUTCOMES:
        raise IllegalTransition(_("调解不成、终止调解或转诉讼的案件才能移送法院。"))
    if assembled.route not in LITIGATION_ROUTES:
        raise InvalidHandoffInput(_("请选择移送的去向：转人民法院诉前调解，或引导当事人起诉。"))
    notice = lifecycle_of(case).notice
    if (notice.pk if notice else None) != assembled.notice_id:
        raise IllegalTransition(_("终止调解通知书刚刚有变化，请重新准备移送材料。"))
    return notice


def _tell_parties(case: Case, handoff: Handoff) -> list[str]:
    """SMS each party with a phone what happens next; the names told (for the timeline)."""
    if handoff.route == Handoff.Route.COURT_MEDIATION:
        text = _(
            "【矛调中心】您的案件 %(number)s 调解未成，已移送人民法院进行诉前调解，法院将另行联系您。"
            "进度可在群众服务端“司法确认与诉讼”中查看。"
        )
    else:
        text = _(
            "【矛调中心】您的案件 %(number)s 调解未成，材料已整理移送人民法院，您可依法向人民法院起诉。"
            "进度可在群众服务端“司法确认与诉讼”中查看。"
        )
    told = []
    for party in case.parties.order_by("pk"):
        if party.phone:
            send_sms(party.phone, text % {"number": case.number})
            told.append(party.name)
    return told


@entry_point
def prepare_handoff(
    case: Case, *, actor: User, assembled: Assembled, court_name: str = "", request=None
) -> Handoff:
    """准备材料: keep the rendered package (``assembled``) as the case's hand-off of its kind."""
    case = lock_case(case, "center", "dispute_type")
    kind = assembled.kind
    if kind not in Handoff.Kind.values:
        raise InvalidHandoffInput(_("请选择移送类型。"))
    if not access.may_prepare(actor, case, kind):
        raise NotAllowed(
            _("只有本案的调解员或当事人可以准备司法确认申请材料。")
            if kind == Handoff.Kind.CONFIRMATION
            else _("只有本案的调解员可以移送法院。")
        )
    court_name = (court_name or "").strip()
    if len(court_name) > 100 or "\x00" in court_name:
        raise InvalidHandoffInput(_("受理法院名称不能超过 100 个字，且不能含有不可见字符。"))
    now = timezone.now()
    agreement = notice = None
    if kind == Handoff.Kind.CONFIRMATION:
        agreement = _check_confirmation(case, assembled, timezone.localdate(now))
        route = Handoff.Route.JUDICIAL_CONFIRMATION
    else:
        notice = _check_litigation(case, assembled)
        route = assembled.route
    if Handoff.objects.filter(case=case, kind=kind).exclude(status=S.REJECTED).exists():
        raise IllegalTransition(_("本案已有一份正在办理的移送材料，不能重复准备。"))
    handoff = Handoff(
        case=case, kind=kind, route=route, agreement=agreement, notice=notice, court_name=court_name
    )
    handoff.prepared_at = now
    handoff.prepared_by = actor
    manifest = manifest_for(
        case, assembled, reference=handoff.reference, prepared_at=now, court_name=court_name
    )
    handoff.manifest = manifest
    handoff.manifest_sha256 = sha256_of(manifest_bytes(manifest))
    handoff.package_pdf = assembled.combined
    handoff.package_sha256 = sha256_of(assembled.combined)
    handoff.save()
    HandoffPart.objects.bulk_create(
        [
            HandoffPart(
                handoff=handoff,
                position=i,
                kind=part.kind,
                title=part.title,
                filename=part.filename,
                sha256=part.sha256,
                size=len(part.content),
                content=part.content,
            )
            for i, part in enumerate(assembled.parts, start=1)
        ]
    )
    reason = str(Handoff.Route(route).label)
    for party in assembled.parties:  # the court's copy carries full identity: the audited reveal
        if party["fields"]:
            record_security_event(
                SecurityAuditEvent.Type.REVEAL,
                request=request,
                user=actor,
                detail={
                    "case": case.pk,
                    "case_number": case.number,
                    "center": case.center_id,
                    "party": party["party"],
                    "party_name": party["name"],
                    "fields": party["fields"],
                    "reason": reason,
                    "handoff": handoff.pk,
                },
            )
    data = {
        "handoff": handoff.pk,
        "reference": handoff.reference,
        "route": route,
        "reason": reason,
        "package_sha256": handoff.package_sha256,
        "manifest_sha256": handoff.manifest_sha256,
        "identity_revealed": [p["name"] for p in assembled.parties if p["fields"]],
    }
    if kind == Handoff.Kind.CONFIRMATION:
        data["agreement"] = agreement.pk
        data["confirmation_deadline"] = agreement.confirmation_deadline.isoformat()
        events.PACKAGE_PREPARED.record(case, actor=actor, data=data)
    else:
        data["notice"] = notice.pk if notice else None
        data["told"] = _tell_parties(case, handoff)
        events.REFERRAL_PREPARED.record(case, actor=actor, data=data)
    return handoff


MOVE_EVENTS = {
    S.SUBMITTED: events.PACKAGE_SUBMITTED,
    S.ACCEPTED: events.PACKAGE_ACCEPTED,
    S.CONFIRMED: events.PACKAGE_CONFIRMED,
    S.REJECTED: events.PACKAGE_REJECTED,
    S.CLOSED: events.PACKAGE_CLOSED,
}
DATE_FIELDS = {
    S.SUBMITTED: "submitted_on",
    S.ACCEPTED: "accepted_on",
    S.CONFIRMED: "decided_on",
    S.REJECTED: "decided_on",
    S.CLOSED: "decided_on",
}


def _clean_text(value: str, limit: int, label: str) -> str:
    value = (value or "").strip()
    if len(value) > limit or "\x00" in value:
        raise InvalidHandoffInput(
            _("%(label)s不能超过 %(limit)d 个字，且不能含有不可见字符。") % {"label": label, "limit": limit}
        )
    return value


def _move(
    handoff: Handoff,
    *,
    actor: User | None,
    to: str,
    on: dt.date | None,
    court_reference: str,
    note: str,
    by: str,
) -> tuple[Handoff, bool]:
    """The move, under the caller's locks; False when the hand-off already stands there (a repeated push)."""
    if to not in S.values:
        raise InvalidHandoffInput(_("未知的状态：%(status)s。") % {"status": str(to)[:30]})
    court_reference = _clean_text(court_reference, 60, _("法院案号"))
    note = _clean_text(note, 2000, _("说明"))
    if handoff.status == to:
        return handoff, False
    if (handoff.kind, handoff.status, to) not in MOVES:
        allowed = [str(S(t).label) for k, f, t in sorted(MOVES) if k == handoff.kind and f == handoff.status]
        raise IllegalTransition(
            _("“%(current)s”的材料不能改为“%(target)s”。%(next)s")
            % {
                "current": S(handoff.status).label,
                "target": S(to).label,
                "next": (_("可以改为：%(list)s。") % {"list": "、".join(allowed)})
                if allowed
                else _("该移送已办结。"),
            }
        )
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise InvalidHandoffInput(_("日期不能晚于今天。"))
    if on < timezone.localdate(handoff.prepared_at):
        raise InvalidHandoffInput(
            _("日期不能早于材料准备的日期（%(date)s）。")
            % {"date": timezone.localdate(handoff.prepared_at).isoformat()}
        )
    if to == S.ACCEPTED and not (court_reference or handoff.court_reference):
        raise InvalidHandoffInput(_("法院受理时请填写法院案号。"))
    previous = handoff.status
    handoff.status = to
    fields = ["status", "updated_at", DATE_FIELDS[to]]
    setattr(handoff, DATE_FIELDS[to], on)
    if court_reference:
        handoff.court_reference = court_reference
        fields.append("court_reference")
    if note:
        handoff.note = note
        fields.append("note")
    handoff.save(update_fields=fields)
    case = handoff.case
    if to == S.SUBMITTED and handoff.kind == Handoff.Kind.CONFIRMATION:
        ConfirmationDeadline.objects.filter(
            agreement_id=handoff.agreement_id, applied_at__isnull=True
        ).update(applied_at=timezone.now())
        # stops the warnings app's judicial-confirmation clock too (its stop trigger)
        warnings_sweep.on_case_changed(case, trigger="confirmation_applied", actor=actor)
    MOVE_EVENTS[to].record(
        case,
        actor=actor,
        data={
            "handoff": handoff.pk,
            "reference": handoff.reference,
            "from": previous,
            "to": to,
            "on": on.isoformat(),
            "court_reference": handoff.court_reference,
            "note": note[:200],
            "by": by,
        },
    )
    return handoff, True


def _locked(handoff: Handoff) -> Handoff:
    case = lock_case(handoff.case_id, "center")
    locked = Handoff.objects.select_for_update().get(pk=handoff.pk)
    locked.case = case
    return locked


@entry_point
def record_court_progress(
    handoff: Handoff,
    *,
    actor: User,
    to: str,
    on: dt.date | None = None,
    court_reference: str = "",
    note: str = "",
) -> Handoff:
    """Staff record a step: submitted to the court, accepted (with the court's reference), confirmed, rejected."""
    handoff = _locked(handoff)
    if not access.may_record_court_answer(actor, handoff.case):
        raise NotAllowed(_("只有可以办理本案的工作人员才能登记法院办理情况。"))
    handoff, changed = _move(
        handoff, actor=actor, to=to, on=on, court_reference=court_reference, note=note, by="staff"
    )
    if not changed:
        raise DomainError(_("该移送已是“%(status)s”。") % {"status": S(to).label}, code="unchanged")
    return handoff


@entry_point
def receive_court_update(
    handoff: Handoff,
    *,
    system: User,
    to: str,
    on: dt.date | None = None,
    court_reference: str = "",
    note: str = "",
) -> tuple[Handoff, bool]:
    """The court's system pushes a step back; a repeat of the current status changes nothing (False)."""
    handoff = _locked(handoff)
    if access.court_system_of(system) is None:
        raise NotAllowed(_("仅限已登记的法院系统调用。"))
    return _move(handoff, actor=system, to=to, on=on, court_reference=court_reference, note=note, by="court")


__all__ = ["prepare_handoff", "record_court_progress", "receive_court_update", "FINAL_STATUSES"]
