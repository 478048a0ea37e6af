"""Core services: the case lock every service takes, the identity check (核验身份) and the audited reveal of
a party's full phone or ID number (查看完整证件号/电话).

Every state change of a case is a service, atomic, writing one timeline event. Only a checked party links a
portal citizen to cases by ID number (``cases.portal.selectors.citizen_party_q``): what a hotline caller, a grid
worker or an online form says about an ID number proves nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import SecurityAuditEvent, User
from accounts.services import record_security_event
from cases.core.access import can_change, may_verify_identity
from cases.core.events import IDENTITY_VERIFIED, SENSITIVE_REVEALED
from cases.core.identity import mask_id_number
from cases.core.models import Case, Party, Source
from mediation_center.errors import DomainError, NotAllowed
from mediation_center.transactions import entry_point


def lock_case(case_or_pk: Case | int, *related: str) -> Case:
    """The case's row, read again under ``SELECT ... FOR UPDATE``; runs in the caller's transaction.

    ``related`` are ``select_related`` names fetched (and, on PostgreSQL, locked) with it, e.g. ``"center"``.
    """
    pk = getattr(case_or_pk, "pk", case_or_pk)
    queryset = Case.objects.select_for_update()
    if related:
        queryset = queryset.select_related(*related)
    return queryset.get(pk=pk)


def counter_identity_fields(
    *, role: str, kind: str, id_number: str, actor: User | None, source: str, now: datetime
) -> dict:
    """The check a counter registration makes: the clerk registering a window visit (窗口来访) sees the
    applicant's ID in person. Respondents and third parties are named by the applicant, and every other
    source (phone, hotline, grid, petition system, referrals, online) is what someone said."""
    seen = (
        source == Source.COUNTER
        and getattr(actor, "kind", None) == User.Kind.STAFF
        and role == Party.Role.APPLICANT
        and kind == Party.Kind.PERSON
        and bool(id_number)
    )
    if not seen:
        return {}
    return {
        "identity_verified_at": now,
        "identity_verified_by": actor,
        "identity_verified_how": Party.IdentityCheck.COUNTER,
    }


@entry_point
def verify_party_identity(party: Party, *, actor: User) -> Party:
    """核验身份: a clerk of the case's center records that they checked this party's ID document in person."""
    party = Party.objects.select_for_update().select_related("case").get(pk=party.pk)
    case = party.case
    if not may_verify_identity(actor, case):
        raise NotAllowed(_("只有本案承办中心的窗口受理员可以核验当事人身份。"))
    if not party.id_number:
        raise DomainError(_("该当事人未登记证件号码，无法核验身份。"), code="no_id_number")
    if party.identity_verified_at is not None:
        raise DomainError(_("该当事人的身份已核验。"), code="already_verified")
    party.identity_verified_at = timezone.now()
    party.identity_verified_by = actor
    party.identity_verified_how = Party.IdentityCheck.CLERK
    party.save(update_fields=["identity_verified_at", "identity_verified_by", "identity_verified_how"])
    IDENTITY_VERIFIED.record(
        case,
        actor=actor,
        data={
            "party": party.pk,
            "name": party.name,
            "id_number": mask_id_number(party.id_number),
            "reason": str(_("核验 %(name)s 的身份证件")) % {"name": party.name},
        },
    )
    return party


class RevealReason(models.TextChoices):
    """Why staff need a party's full number: the short list the reveal form offers (or a reason typed in)."""

    CALL = "call", _("电话联系当事人")
    DOCUMENT = "document", _("制作或核对法律文书")
    IDENTITY = "identity", _("核实当事人身份")
    COURT = "court", _("申请司法确认")
    OTHER = "other", _("其他（请填写）")


class RevealField(models.TextChoices):
    PHONE = "phone", _("联系电话")
    ID_NUMBER = "id_number", _("证件号码")


@entry_point
def reveal_party_contact(
    party: Party, *, actor: User, field: str, reason: str, request: HttpRequest | None = None
) -> str:
    """查看完整电话/证件号: the full value for a user who may change the case, written to the security audit
    and the case timeline (who, when, which party and field, why) in the same transaction."""
    party = Party.objects.select_related("case").get(pk=party.pk)
    case = party.case
    if not can_change(actor, case):
        raise NotAllowed(_("只有可以办理本案的工作人员才能查看完整的证件号码和电话。"))
    if field not in RevealField.values:
        raise DomainError(_("请选择要查看的信息。"), code="reveal_field")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请说明查看的理由。"), code="reveal_reason")
    value = getattr(party, field)
    if not value:
        raise DomainError(_("该当事人未登记此项信息。"), code="reveal_empty")
    what = RevealField(field)
    detail = {
        "case": case.pk,
        "case_number": case.number,
        "center": case.center_id,
        "party": party.pk,
        "party_name": party.name,
        "field": what.value,
        "reason": reason[:200],
    }
    record_security_event(SecurityAuditEvent.Type.REVEAL, request=request, user=actor, detail=detail)
    SENSITIVE_REVEALED.record(
        case,
        actor=actor,
        data={
            "party": party.pk,
            "name": party.name,
            "field": what.value,
            # The timeline line reads "查看 张三 的联系电话 · 电话联系当事人": the reason as given, never the value.
            "reason": str(_("查看 %(name)s 的%(what)s：%(reason)s"))
            % {"name": party.name, "what": what.label, "reason": reason[:200]},
            "given_reason": reason[:200],
        },
    )
    return value
