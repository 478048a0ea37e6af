"""Writes of online signing: the version put up for signature, invitations, one-time codes, the electronic
signature itself and the stamped copies. Each entry point writes one timeline event with its actor; the code
steps are in the security audit too.

PDFs are rendered by the caller before the service runs (never inside the transaction); the service checks
that the agreement still reads as it did when the PDF was made, so nobody signs a text that was changed.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import SecurityAuditEvent, User
from accounts.services import client_ip, record_security_event
from accounts.sms import send_sms
from cases.core.events import AGREEMENT_EFFECTIVE
from cases.core.identity import mask_name
from cases.core.models import Party
from cases.core.services import lock_case
from cases.lifecycle.models import Agreement, AgreementSignature
from cases.lifecycle.selectors import is_case_mediator
from cases.lifecycle.services import add_party_signature
from cases.portal.services import InvalidCode, TooManyAttempts
from mediation_center.errors import DomainError, IllegalTransition, NotAllowed
from mediation_center.transactions import entry_point
from online import events
from online.access import sign_link_token
from online.documents import content_digest, sha256_of
from online.models import ElectronicSignature, SigningCode, SigningVersion, StampedCopy


class AgreementChanged(DomainError):
    code = "agreement_changed"
    http_status = 409

    def __init__(self, message=None):
        super().__init__(
            message or _("调解协议书刚刚被修改，原有签名已作废，请重新打开并阅读新的协议文本后再签署。")
        )


def _lock_agreement(agreement: Agreement) -> tuple[Agreement, object]:
    case = lock_case(agreement.case_id, "center")
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    agreement.case = case
    return agreement, case


def _may_publish(actor: User, agreement: Agreement) -> bool:
    if actor.kind == User.Kind.CITIZEN:
        from cases.portal.selectors import citizen_party_q

        return agreement.case.parties.filter(citizen_party_q(actor)).exists()
    return is_case_mediator(actor, agreement.case)


@entry_point
def publish_signing_version(agreement: Agreement, *, actor: User, pdf: bytes, digest: str) -> SigningVersion:
    """Keep ``pdf`` (rendered from the agreement as it read with ``digest``) as the text to be signed."""
    agreement, case = _lock_agreement(agreement)
    if not _may_publish(actor, agreement):
        raise NotAllowed(_("只有本案的调解员或当事人可以生成电子签署版本。"))
    version, created = _publish(agreement, case, actor=actor, pdf=pdf, digest=digest)
    if created:
        events.SIGNING_VERSION_PUBLISHED.record(
            case,
            actor=actor,
            data={"agreement": agreement.pk, "version": version.pk, "sha256": version.sha256},
        )
    return version


def current_version(agreement: Agreement) -> SigningVersion | None:
    """The version whose text is the agreement's text now (None: the text changed since, or never put up)."""
    return SigningVersion.objects.filter(
        agreement=agreement, content_digest=content_digest(agreement)
    ).first()


def _publish(
    agreement: Agreement, case, *, actor: User, pdf: bytes, digest: str
) -> tuple[SigningVersion, bool]:
    """The version for ``digest`` (kept from ``pdf`` the first time), under the caller's locks."""
    if agreement.voided or agreement.is_effective:
        raise IllegalTransition(_("该调解协议已生效或已作废，不能再签署。"))
    if content_digest(agreement) != digest:
        raise AgreementChanged()
    existing = SigningVersion.objects.filter(agreement=agreement, content_digest=digest).first()
    if existing is not None:
        return existing, False
    version = SigningVersion.objects.create(
        agreement=agreement, content_digest=digest, sha256=sha256_of(pdf), pdf=pdf, created_by=actor
    )
    return version, True


@entry_point
def invite_to_sign(
    agreement: Agreement, *, actor: User, parties: list[Party], pdf: bytes, digest: str
) -> list[Party]:
    """Put the text up for signature (``pdf``, rendered from it as it read with ``digest``) and text each
    party a link to sign (bound to that party, expiring); parties already signed are skipped."""
    agreement, case = _lock_agreement(agreement)
    if not is_case_mediator(actor, case):
        raise NotAllowed(_("只有本案的调解员可以发送电子签署短信。"))
    version, _created = _publish(agreement, case, actor=actor, pdf=pdf, digest=digest)
    signed = set(agreement.signatures.values_list("party_id", flat=True))
    invited = [p for p in parties if p.case_id == case.pk and p.pk not in signed and p.phone]
    if not invited:
        raise DomainError(_("没有可以发送的当事人：须是尚未签名、登记了手机号的本案当事人。"), code="invalid")
    hours = settings.ONLINE_SIGN_LINK_HOURS
    for party in invited:
        link = settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
            "online:sign", args=[sign_link_token(agreement, party)]
        )
        text = _(
            "【矛调中心】%(name)s，您的案件 %(number)s 调解协议书已制作，请在 %(hours)d 小时内打开链接阅读并电子签名：%(link)s"
        )
        send_sms(
            party.phone, text % {"name": party.name, "number": case.number, "hours": hours, "link": link}
        )
    events.SIGNING_INVITED.record(
        case,
        actor=actor,
        data={
            "agreement": agreement.pk,
            "parties": [p.name for p in invited],
            "party_ids": [p.pk for p in invited],
            "version": version.pk,
            "sha256": version.sha256,
        },
    )
    return invited


def _code_hash(code_row_phone: str, version_id: int, party_id: int, code: str) -> str:
    message = f"online-sign:{code_row_phone}:{version_id}:{party_id}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _check_signer(citizen: User, party: Party, agreement: Agreement) -> None:
    from cases.portal.selectors import citizen_party_q

    if not Party.objects.filter(citizen_party_q(citizen), pk=party.pk, case_id=agreement.case_id).exists():
        raise NotAllowed(_("只有该当事人本人可以签署。"))


@entry_point
def send_signing_code(
    version: SigningVersion, *, party: Party, citizen: User, request: HttpRequest | None = None
) -> SigningCode:
    """Text a one-time code to the phone on the party record, for this party and this version only."""
    agreement, case = _lock_agreement(version.agreement)
    _check_signer(citizen, party, agreement)
    party = Party.objects.get(pk=party.pk)
    if agreement.voided or agreement.is_effective:
        raise IllegalTransition(_("该调解协议已生效或已作废，不能再签署。"))
    if content_digest(agreement) != version.content_digest:
        raise AgreementChanged()
    if agreement.signatures.filter(party=party).exists():
        raise DomainError(_("您已签署本协议。"), code="unchanged")
    if not party.phone:
        raise DomainError(_("当事人没有登记手机号，无法发送验证码，请联系调解员。"), code="invalid")
    now = timezone.now()
    last = SigningCode.objects.filter(party=party, version=version).order_by("-created_at").first()
    gap = timedelta(seconds=settings.ONLINE_CODE_RESEND_SECONDS)
    if last is not None and last.created_at > now - gap:
        raise TooManyAttempts(_("验证码发送过于频繁，请稍后再试。"), retry_at=last.created_at + gap)
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = SigningCode.objects.create(
        version=version,
        party=party,
        phone=party.phone,
        code_hash=_code_hash(party.phone, version.pk, party.pk, code),
        expires_at=now + timedelta(seconds=settings.ONLINE_CODE_TTL_SECONDS),
    )
    minutes = max(1, settings.ONLINE_CODE_TTL_SECONDS // 60)
    text = _(
        "【矛调中心】您正在电子签署调解协议书（%(number)s），验证码 %(code)s，%(minutes)d 分钟内有效。请勿告诉他人。"
    )
    send_sms(party.phone, text % {"number": case.number, "code": code, "minutes": minutes})
    record_security_event(
        SecurityAuditEvent.Type.OTP,
        request=request,
        user=citizen,
        detail={"action": "e_sign_send", "case": case.pk, "party": party.pk, "version": version.pk},
    )
    events.SIGNING_CODE_SENT.record(
        case,
        actor=citizen,
        data={"party": mask_name(party.name), "party_id": party.pk, "version": version.pk},
    )
    return row


@entry_point(own_transactions=True)  # a wrong code's attempt and its audit row commit before the refusal
def sign_electronically(
    version: SigningVersion,
    *,
    party: Party,
    citizen: User,
    code: str,
    request: HttpRequest | None = None,
) -> ElectronicSignature:
    """确认并签字: check the one-time code, then sign the exact PDF of ``version`` as ``party``."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        agreement, case = _lock_agreement(version.agreement)
        _check_signer(citizen, party, agreement)
        party = Party.objects.get(pk=party.pk)
        current = (
            SigningCode.objects.select_for_update()
            .filter(version=version, party=party, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        ok = False
        if current is not None and current.attempts < settings.ONLINE_CODE_MAX_ATTEMPTS:
            expected = _code_hash(current.phone, version.pk, party.pk, (code or "").strip())
            ok = hmac.compare_digest(current.code_hash, expected)
            if not ok:
                current.attempts = F("attempts") + 1
                current.save(update_fields=["attempts"])
        audit = {"action": "e_sign_verify", "case": case.pk, "party": party.pk, "version": version.pk}
        if not ok:
            record_security_event(
                SecurityAuditEvent.Type.OTP, request=request, user=citizen, success=False, detail=audit
            )
    if not ok:
        raise InvalidCode()
    with transaction.atomic(durable=True):
        agreement, case = _lock_agreement(version.agreement)
        current = SigningCode.objects.select_for_update().get(pk=current.pk)
        if current.used_at is not None:  # a second tap with the same code
            raise InvalidCode()
        if content_digest(agreement) != version.content_digest:
            raise AgreementChanged()
        current.used_at = now
        current.save(update_fields=["used_at"])
        signature, effective = add_party_signature(
            agreement, party=party, actor=citizen, method=AgreementSignature.Method.ELECTRONIC, at=now
        )
        evidence = ElectronicSignature.objects.create(
            version=version,
            party=party,
            signature=signature,
            signer=citizen,
            signer_name=party.name,
            signed_at=now,
            ip_address=client_ip(request),
            user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:300],
            phone=current.phone,
            code=current,
            code_verified_at=now,
            document_sha256=version.sha256,
        )
        record_security_event(
            SecurityAuditEvent.Type.OTP,
            request=request,
            user=citizen,
            detail={**audit, "signed": evidence.pk},
        )
        data = {
            "agreement": agreement.pk,
            "parties": [party.name],
            "method": "electronic",
            "sha256": version.sha256,
            "verification_code": evidence.verification_code,
        }
        if effective:
            data["effective_on"] = agreement.effective_on.isoformat()
            data["confirmation_deadline"] = agreement.confirmation_deadline.isoformat()
        (AGREEMENT_EFFECTIVE if effective else events.E_SIGNED).record(case, actor=citizen, data=data)
    return evidence


def stamped_state(agreement: Agreement, version: SigningVersion) -> tuple[str, list, list]:
    """What a stamped copy shows now: the valid electronic signatures of ``version``, the paper ones and
    the mediator's signature and seal, as a key (one copy per state) and the two lists."""
    e_signatures = list(
        ElectronicSignature.objects.filter(version=version, signature__isnull=False).select_related("party")
    )
    paper = list(
        agreement.signatures.filter(method=AgreementSignature.Method.PAPER)
        .select_related("party")
        .order_by("pk")
    )
    key = ";".join(
        [
            "e:" + ",".join(str(s.pk) for s in e_signatures),
            "p:" + ",".join(str(s.pk) for s in paper),
            "m:" + (agreement.mediator_signed_at.isoformat() if agreement.mediator_signed_at else ""),
            "s:" + (agreement.sealed_at.isoformat() if agreement.sealed_at else ""),
        ]
    )
    return hashlib.sha256(key.encode()).hexdigest(), e_signatures, paper


@entry_point
def issue_stamped_copy(version: SigningVersion, *, actor: User, state_key: str, pdf: bytes) -> StampedCopy:
    """Keep the stamped PDF made for ``state_key``; the same state gets the same bytes ever after."""
    agreement, case = _lock_agreement(version.agreement)
    existing = StampedCopy.objects.filter(version=version, state_key=state_key).first()
    if existing is not None:
        return existing
    if stamped_state(agreement, version)[0] != state_key:
        raise DomainError(_("签名情况刚刚有变化，请重新下载。"), code="changed")
    try:
        with transaction.atomic():
            copy = StampedCopy.objects.create(
                version=version, state_key=state_key, sha256=sha256_of(pdf), pdf=pdf
            )
    except IntegrityError:
        return StampedCopy.objects.get(version=version, state_key=state_key)
    events.STAMPED_COPY_ISSUED.record(
        case, actor=actor, data={"agreement": agreement.pk, "version": version.pk, "sha256": copy.sha256}
    )
    return copy
