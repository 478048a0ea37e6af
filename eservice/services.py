"""Writes of electronic service: a party's consent (given at the counter, on the online application or by
the party in the portal; withdrawn), serving a document electronically (the exact PDF kept, an SMS with a
link bound to the party and that version), the gateway's acceptance, the party's first opening (the legal
moment of service, written once), paper service, and the sweep that flags services left unopened.

Each entry point writes one timeline event with its actor and one security-audit row. The PDF is rendered
by the caller before the service runs (never inside the transaction); the SMS leaves after the commit.
"""

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import SecurityAuditEvent, User
from accounts.services import client_ip, record_security_event
from accounts.sms import SMSMessage, get_backend
from cases.core.access import can_change, is_staff_user
from cases.core.identity import mask_name, mask_phone
from cases.core.models import Case, Party
from cases.core.services import lock_case
from cases.documents.registry import Viewer, document_for
from cases.portal.selectors import citizen_party_q
from eservice import events
from eservice.access import link_token
from eservice.models import DocumentService, ServiceConsent
from mediation_center.errors import DomainError, NotAllowed
from mediation_center.transactions import entry_point

logger = logging.getLogger(__name__)

# The wording a party consents to; its SHA-256 is kept with each consent (change a word, the digest follows).
STATEMENT = gettext_lazy(
    "本人同意矛调中心通过短信向本人登记的手机号发送文书链接的方式电子送达本案的受理回执、调解协议书、"
    "终止调解通知书等文书；本人首次打开文书的时间为送达时间。本人可以随时撤回本同意，撤回后改为纸质送达。"
)


class NoConsent(DomainError):
    code = "no_consent"
    http_status = 409
    default_message = gettext_lazy(
        "该当事人没有同意电子送达（或已撤回同意），不能电子送达；请先登记其同意，或改为邮寄、直接或留置送达。"
    )


class DocumentNotServable(DomainError):
    code = "document_not_servable"
    http_status = 409
    default_message = gettext_lazy("本案目前没有这份可以送达当事人的文书。")


def statement_text() -> str:
    with translation.override("zh-hans"):
        return str(STATEMENT)


def statement_sha256() -> str:
    return hashlib.sha256(statement_text().encode("utf-8")).hexdigest()


def _audit(action: str, *, request, user, case: Case, party: Party, success: bool = True, **detail) -> None:
    record_security_event(
        SecurityAuditEvent.Type.E_SERVICE,
        request=request,
        user=user,
        success=success,
        detail={"action": action, "case": case.pk, "party": party.pk, **detail},
    )


def _party_of(case: Case, party: Party | int) -> Party:
    pk = getattr(party, "pk", party)
    found = Party.objects.filter(pk=pk, case_id=case.pk).first()
    if found is None:
        raise DomainError(_("该当事人不属于本案。"), code="invalid")
    return found


def _check_staff(actor: User, case: Case) -> None:
    if not (is_staff_user(actor) and can_change(actor, case)):
        raise NotAllowed(_("只有可以办理本案的工作人员可以登记送达。"))


def _is_the_party(citizen: User, party: Party) -> bool:
    return Party.objects.filter(citizen_party_q(citizen), pk=party.pk).exists()


def live_consent(party: Party) -> ServiceConsent | None:
    return ServiceConsent.objects.filter(party=party, withdrawn_at__isnull=True).first()


@entry_point
def give_consent(
    case: Case, *, party: Party | int, actor: User, method: str, request: HttpRequest | None = None
) -> ServiceConsent:
    """Record the party's consent to electronic service at the phone on the party record."""
    case = lock_case(case, "center")
    party = _party_of(case, party)
    if method not in ServiceConsent.Method.values:
        raise DomainError(_("同意方式无效。"), code="invalid")
    if actor.kind == User.Kind.CITIZEN:  # in the portal, or ticked on the party's own online application
        citizen_methods = (ServiceConsent.Method.PORTAL, ServiceConsent.Method.ONLINE_APPLICATION)
        if method not in citizen_methods or not _is_the_party(actor, party):
            raise NotAllowed(_("只有当事人本人可以在群众服务端同意电子送达。"))
    else:
        _check_staff(actor, case)
        if method == ServiceConsent.Method.PORTAL:
            raise DomainError(_("工作人员请选择“窗口书面同意”或“在线申请时同意”。"), code="invalid")
    if not party.phone:
        raise DomainError(_("该当事人没有登记手机号，不能电子送达。"), code="invalid")
    if live_consent(party) is not None:
        raise DomainError(_("该当事人已同意电子送达。"), code="unchanged")
    consent = ServiceConsent.objects.create(
        party=party,
        method=method,
        phone=party.phone,
        statement_sha256=statement_sha256(),
        given_at=timezone.now(),
        recorded_by=actor,
    )
    _audit("consent_given", request=request, user=actor, case=case, party=party, method=method)
    events.CONSENT_GIVEN.record(
        case,
        actor=actor,
        data={"party": party.name, "party_id": party.pk, "method": method, "consent": consent.pk},
    )
    return consent


@entry_point
def withdraw_consent(
    case: Case, *, party: Party | int, actor: User, request: HttpRequest | None = None
) -> ServiceConsent:
    """The party withdraws their consent (themselves in the portal, or staff record it): no more e-service."""
    case = lock_case(case, "center")
    party = _party_of(case, party)
    if actor.kind == User.Kind.CITIZEN:
        if not _is_the_party(actor, party):
            raise NotAllowed(_("只有当事人本人可以撤回同意。"))
    else:
        _check_staff(actor, case)
    consent = (
        ServiceConsent.objects.select_for_update().filter(party=party, withdrawn_at__isnull=True).first()
    )
    if consent is None:
        raise DomainError(_("该当事人没有有效的电子送达同意。"), code="unchanged")
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    _audit("consent_withdrawn", request=request, user=actor, case=case, party=party)
    events.CONSENT_WITHDRAWN.record(
        case, actor=actor, data={"party": party.name, "party_id": party.pk, "consent": consent.pk}
    )
    return consent


def servable_document(case: Case, kind: str):
    """The registry's document of this kind if a party may have it now (what may be served is what a party
    may hold: the case file, for staff only, never is)."""
    document = document_for(case, Viewer.PARTY, kind)
    if document is None:
        raise DocumentNotServable()
    return document


def check_servable(case: Case, *, party: Party | int, kind: str) -> None:
    """The refusals a render would only delay (no consent, no such document), read before rendering."""
    party = _party_of(case, party)
    servable_document(case, kind)
    if live_consent(party) is None:
        raise NoConsent()


def render_for_service(case: Case, kind: str) -> bytes:
    """The party's PDF of ``kind``, rendered outside any transaction, to be kept as the version served."""
    return servable_document(case, kind).render_for(case, Viewer.PARTY)


def _link(service: DocumentService) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("eservice_portal:open", args=[link_token(service)])


def _send_after_commit(service_pk: int, message: SMSMessage) -> None:
    """Runs after the commit: hand the SMS to the gateway; its acceptance is recorded as delivery."""
    try:
        accepted = get_backend().send_messages([message])
    except Exception:  # noqa: BLE001 - a broken gateway must not undo the committed service
        logger.exception("e-service SMS failed for service %s", service_pk)
        return
    if accepted:
        record_delivery(service_pk)


@entry_point
def serve_electronically(
    case: Case,
    *,
    party: Party | int,
    kind: str,
    actor: User,
    pdf: bytes,
    request: HttpRequest | None = None,
) -> DocumentService:
    """Serve ``pdf`` (the party's rendering of document ``kind``) to ``party`` by SMS link, with consent."""
    case = lock_case(case, "center")
    _check_staff(actor, case)
    party = _party_of(case, party)
    document = servable_document(case, kind)
    consent = live_consent(party)
    if consent is None:
        raise NoConsent()
    if not party.phone:
        raise DomainError(_("该当事人没有登记手机号，不能电子送达。"), code="invalid")
    now = timezone.now()
    service = DocumentService.objects.create(
        case=case,
        party=party,
        document_kind=kind,
        document_label=str(document.label),
        method=DocumentService.Method.ELECTRONIC,
        created_by=actor,
        consent=consent,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        phone=party.phone,
        sent_at=now,
        open_due_at=now + timedelta(days=settings.ESERVICE_UNOPENED_DAYS),
    )
    text = _(
        "【矛调中心】%(name)s，%(center)s向您电子送达《%(document)s》（案件 %(number)s），"
        "请登录后打开链接查看，链接 %(hours)d 小时内有效：%(link)s"
    ) % {
        "name": party.name,
        "center": case.center.name,
        "document": document.label,
        "number": case.number,
        "hours": settings.ESERVICE_LINK_HOURS,
        "link": _link(service),
    }
    message = SMSMessage(phone=party.phone, text=text)
    transaction.on_commit(lambda: _send_after_commit(service.pk, message))
    _audit("served", request=request, user=actor, case=case, party=party, kind=kind, service=service.pk)
    events.SENT.record(
        case,
        actor=actor,
        data={
            "party": party.name,
            "party_id": party.pk,
            "document": kind,
            "service": service.pk,
            "sha256": service.sha256,
            "phone": mask_phone(party.phone),
        },
    )
    return service


@entry_point
def record_delivery(service_pk: int, *, at: datetime | None = None) -> DocumentService | None:
    """The SMS gateway accepted the message (the system acts): recorded once."""
    service = DocumentService.objects.select_for_update().filter(pk=service_pk).first()
    if service is None or service.delivered_at is not None:
        return service
    case = lock_case(service.case_id)
    service.delivered_at = at or timezone.now()
    service.save(update_fields=["delivered_at"])
    record_security_event(
        SecurityAuditEvent.Type.E_SERVICE,
        detail={"action": "delivered", "case": case.pk, "party": service.party_id, "service": service.pk},
    )
    events.DELIVERED.record(
        case,
        actor=None,
        data={"reason": "sms_gateway_accepted", "service": service.pk, "document": service.document_kind},
    )
    return service


@entry_point
def record_opening(
    service: DocumentService, *, citizen: User, request: HttpRequest | None = None
) -> tuple[DocumentService, bool]:
    """The party opened the served document. The first opening is the moment of service and is never
    overwritten; later ones are only audited. Returns the service and whether this was the first."""
    case = lock_case(service.case_id, "center")
    service = DocumentService.objects.select_for_update().select_related("party").get(pk=service.pk)
    if not _is_the_party(citizen, service.party):
        raise NotAllowed(_("只有受送达的当事人本人可以打开。"))
    first = service.opened_at is None
    if first:
        service.opened_at = timezone.now()
        service.opened_ip = client_ip(request)
        service.opened_user_agent = (request.META.get("HTTP_USER_AGENT", "") if request else "")[:300]
        service.save(update_fields=["opened_at", "opened_ip", "opened_user_agent"])
    _audit(
        "opened",
        request=request,
        user=citizen,
        case=case,
        party=service.party,
        service=service.pk,
        first=first,
    )
    if first:
        events.OPENED.record(
            case,
            actor=citizen,
            data={
                "party": mask_name(service.party.name),
                "party_id": service.party_id,
                "document": service.document_kind,
                "service": service.pk,
                "sha256": service.sha256,
                "served_at": service.opened_at.isoformat(),
            },
        )
    return service, first


@entry_point
def record_paper_service(
    case: Case,
    *,
    party: Party | int,
    kind: str,
    method: str,
    served_at: datetime,
    actor: User,
    note: str = "",
    request: HttpRequest | None = None,
) -> DocumentService:
    """邮寄 / 直接 / 留置送达: staff record the paper service of a document with its date and method."""
    case = lock_case(case, "center")
    _check_staff(actor, case)
    party = _party_of(case, party)
    document = servable_document(case, kind)
    if method not in DocumentService.PAPER_METHODS:
        raise DomainError(_("送达方式须为邮寄送达、直接送达或留置送达。"), code="invalid")
    if served_at > timezone.now() + timedelta(minutes=5):
        raise DomainError(_("送达时间不能晚于现在。"), code="invalid")
    service = DocumentService.objects.create(
        case=case,
        party=party,
        document_kind=kind,
        document_label=str(document.label),
        method=method,
        created_by=actor,
        served_at=served_at,
        note=note[:300],
    )
    _audit("paper", request=request, user=actor, case=case, party=party, kind=kind, method=method)
    events.PAPER_RECORDED.record(
        case,
        actor=actor,
        data={
            "party": party.name,
            "party_id": party.pk,
            "document": kind,
            "method": method,
            "served_at": served_at.isoformat(),
            "service": service.pk,
        },
    )
    return service


SWEEP_BATCH = 200


@entry_point(own_transactions=True)  # batch by batch, so a long sweep never holds every row
def flag_unopened_services(*, now: datetime | None = None) -> int:
    """Flag, once, each electronic service still unopened at its due time, so staff can serve on paper.
    Rows are claimed under lock and re-checked: a repeated or concurrent sweep flags nothing twice."""
    now = now or timezone.now()
    flagged = 0
    while True:
        with transaction.atomic(durable=True):
            due = list(
                DocumentService.objects.select_for_update(skip_locked=True)
                .filter(
                    method=DocumentService.Method.ELECTRONIC,
                    opened_at__isnull=True,
                    unopened_flagged_at__isnull=True,
                    open_due_at__lte=now,
                )
                .order_by("open_due_at", "pk")[:SWEEP_BATCH]
            )
            for service in due:
                service.unopened_flagged_at = now
                service.save(update_fields=["unopened_flagged_at"])
                case = Case.objects.get(pk=service.case_id)
                record_security_event(
                    SecurityAuditEvent.Type.E_SERVICE,
                    detail={
                        "action": "unopened",
                        "case": case.pk,
                        "party": service.party_id,
                        "service": service.pk,
                    },
                )
                events.UNOPENED.record(
                    case,
                    actor=None,
                    data={
                        "reason": "unopened_after_days",
                        "days": settings.ESERVICE_UNOPENED_DAYS,
                        "service": service.pk,
                        "party_id": service.party_id,
                        "document": service.document_kind,
                    },
                )
            flagged += len(due)
        if len(due) < SWEEP_BATCH:
            return flagged


def record_view(service: DocumentService, *, citizen: User, request: HttpRequest, what: str) -> None:
    """A later view (the page or the PDF) of a service already opened: one audit row, no timeline event and
    no transaction of its own, so that a GET may write it (the moment of service is only written by the
    POST of ``record_opening``)."""
    _audit(
        "viewed",
        request=request,
        user=citizen,
        case=service.case,
        party=service.party,
        service=service.pk,
        what=what,
    )


def record_refused_link(*, request: HttpRequest, user: User, reason: str) -> None:
    """A link that could not be used (forged, another party's, expired): audited as a failure."""
    record_security_event(
        SecurityAuditEvent.Type.E_SERVICE,
        request=request,
        user=user,
        success=False,
        detail={"action": "link_refused", "reason": reason},
    )
