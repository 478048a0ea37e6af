"""Reads of online signing: the case page's section, a party's signing page and the public verification."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.core.identity import mask_name
from cases.core.models import Case, Party
from cases.lifecycle.models import Agreement, AgreementSignature
from online.documents import content_digest, sha256_of
from online.models import ElectronicSignature, SigningVersion, StampedCopy


@dataclass
class PartySigning:
    party: Party
    signature: AgreementSignature | None
    evidence: ElectronicSignature | None

    @property
    def state(self) -> str:
        if self.signature is None:
            return "unsigned"
        return self.signature.method


@dataclass
class SigningSection:
    """The case page's 电子签署 block (in the documents area)."""

    agreement: Agreement
    version: SigningVersion | None
    parties: list[PartySigning]
    voided: list[ElectronicSignature]
    can_invite: bool
    template: str = "online/case_section.html"
    unsigned_with_phone: list[Party] = field(default_factory=list)


def _signings(
    agreement: Agreement, parties: list[Party]
) -> tuple[list[PartySigning], list[ElectronicSignature]]:
    signatures = {s.party_id: s for s in agreement.signatures.all()}
    evidence = list(
        ElectronicSignature.objects.filter(version__agreement=agreement)
        .select_related("party")
        .order_by("signed_at")
    )
    valid = {e.signature_id: e for e in evidence if e.signature_id is not None}
    rows = []
    for party in parties:
        signature = signatures.get(party.pk)
        rows.append(PartySigning(party, signature, valid.get(signature.pk) if signature else None))
    return rows, [e for e in evidence if e.signature_id is None]


def case_page_section(
    case: Case, user: User, *, lifecycle, parties: list[Party], actions: set[str]
) -> SigningSection | None:
    """The signing status per party of the current agreement, for staff who may see the case; from the
    page's loaded lifecycle, parties and actions, in two queries of its own."""
    agreement = lifecycle.agreement
    if agreement is None:
        return None
    agreement.case = case  # the page's row, with its center loaded
    parties = sorted(parties, key=lambda p: p.pk)
    rows, voided = _signings(agreement, parties)
    digest = content_digest(agreement, parties=parties)
    version = SigningVersion.objects.filter(agreement=agreement, content_digest=digest).first()
    open_for_signing = not agreement.is_effective and not agreement.voided
    return SigningSection(
        agreement=agreement,
        version=version,
        parties=rows,
        voided=voided,
        # 登记签名 is offered to the case's mediators while the agreement awaits signatures: so is this.
        can_invite=open_for_signing and "sign_agreement" in actions,
        unsigned_with_phone=[r.party for r in rows if r.signature is None and r.party.phone],
    )


@dataclass
class PartySigningPage:
    agreement: Agreement
    party: Party
    version: SigningVersion | None
    mine: PartySigning
    voided_mine: list[ElectronicSignature]
    closed_reason: str = ""


def party_signing_page(agreement: Agreement, party: Party) -> PartySigningPage:
    version = SigningVersion.objects.filter(
        agreement=agreement, content_digest=content_digest(agreement)
    ).first()
    rows, voided = _signings(agreement, [party])
    reason = ""
    if agreement.is_effective:
        reason = str(_("本协议已生效。"))
    elif agreement.voided:
        reason = str(_("本协议已作废。"))
    return PartySigningPage(
        agreement=agreement,
        party=party,
        version=version,
        mine=rows[0],
        voided_mine=[e for e in voided if e.party_id == party.pk],
        closed_reason=reason,
    )


@dataclass
class Verification:
    found: bool
    matches: bool = False
    which: str = ""  # "signed" (the PDF signed) or "stamped" (the final copy)
    valid: bool = False
    case_number: str = ""
    signed_at: object = None
    signers: list[dict] = field(default_factory=list)
    sha256: str = ""
    uploaded_sha256: str = ""


def verify_document(code: str, data: bytes) -> Verification:
    """Whether ``data`` is the PDF that the signature with verification code ``code`` signed (or a stamped
    copy of it), and who signed that version; names masked."""
    evidence = (
        ElectronicSignature.objects.select_related("version", "version__agreement__case", "party")
        .filter(verification_code=(code or "").strip().upper())
        .first()
    )
    uploaded = sha256_of(data)
    if evidence is None:
        return Verification(found=False, uploaded_sha256=uploaded)
    version = evidence.version
    which = ""
    if uploaded == version.sha256:
        which = "signed"
    elif StampedCopy.objects.filter(version=version, sha256=uploaded).exists():
        which = "stamped"
    signers = [
        {
            "name": mask_name(e.signer_name),
            "role": e.party.get_role_display(),
            "signed_at": e.signed_at,
            "valid": e.signature_id is not None,
        }
        for e in version.signatures.select_related("party").order_by("signed_at")
    ]
    return Verification(
        found=True,
        matches=bool(which),
        which=which,
        valid=evidence.signature_id is not None,
        case_number=version.agreement.case.number,
        signed_at=evidence.signed_at,
        signers=signers,
        sha256=version.sha256,
        uploaded_sha256=uploaded,
    )


@dataclass
class PendingSigning:
    agreement: Agreement
    party: Party
    token: str


def pending_signings_for(user: User) -> list[PendingSigning]:
    """The agreements awaiting this citizen's signature, with a fresh signing link each (three queries)."""
    from cases.portal.selectors import citizen_party_q
    from online.access import sign_link_token

    parties = {p.pk: p for p in Party.objects.filter(citizen_party_q(user)).select_related("case")}
    agreements = (
        Agreement.objects.filter(
            case_id__in={p.case_id for p in parties.values()}, voided=False, effective_on__isnull=True
        )
        .select_related("case")
        .order_by("-created_at", "-pk")
    )
    signed = set(
        AgreementSignature.objects.filter(agreement__in=agreements, party_id__in=parties).values_list(
            "agreement_id", "party_id"
        )
    )
    latest: dict[int, Agreement] = {}
    for agreement in agreements:
        latest.setdefault(agreement.case_id, agreement)
    return [
        PendingSigning(agreement, party, sign_link_token(agreement, party))
        for agreement in latest.values()
        for party in parties.values()
        if party.case_id == agreement.case_id and (agreement.pk, party.pk) not in signed
    ]
