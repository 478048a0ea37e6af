"""The PDFs of electronic signing: the exact agreement text the parties sign, and the final copy with the
signatures stamped in. Both render outside any transaction (``cases.documents.pdf``)."""

import copy
import hashlib
import json

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cases.core.models import Case
from cases.documents.pdf import qr_data_uri, render_pdf
from cases.lifecycle.models import Agreement


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_digest(agreement: Agreement, *, parties: list | None = None) -> str:
    """A fingerprint of everything the signed PDF shows (text, terms, parties, case and center): any
    change to it makes a new version, so earlier signatures cannot carry over to a text nobody signed."""
    case = agreement.case
    parties = [
        [
            p.pk,
            p.role,
            p.name,
            p.sex,
            str(p.birth_date or ""),
            p.id_type,
            p.masked_id_number,
            p.credit_code,
            p.legal_representative,
            p.address,
            p.masked_phone,
        ]
        for p in sorted(case.parties.all() if parties is None else parties, key=lambda p: p.pk)
    ]
    terms = [[t.content, t.performance, str(t.due_on or "")] for t in agreement.terms.all()]
    payload = {
        "agreement": agreement.pk,
        "case": [case.number, case.center.name],
        "text": [agreement.facts, agreement.issues, agreement.responsibilities],
        "terms": terms,
        "parties": parties,
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _context(case: Case, agreement: Agreement) -> dict:
    parties = list(case.parties.order_by("pk"))
    unsigned = copy.copy(agreement)  # the text as signed: no signature, seal or date is on it yet
    unsigned.mediator_signed_at = unsigned.sealed_at = unsigned.effective_on = None
    return {
        "case": case,
        "parties": parties,
        "party_count": len(parties),
        "more_parties": 0,
        "printed_on": timezone.localdate(agreement.created_at),
        "agreement": unsigned,
        "signed_party_ids": set(),
        "copies": len(parties) + 1,
        "full_identity": False,
    }


def render_signing_pdf(agreement: Agreement) -> tuple[bytes, str]:
    """The PDF the parties sign and the content digest it was made from (read before rendering)."""
    case = Case.objects.select_related("center", "origin_center").get(pk=agreement.case_id)
    agreement = Agreement.objects.get(pk=agreement.pk)
    digest = content_digest(agreement)
    return render_pdf("online/documents/agreement_for_signing.html", _context(case, agreement)), digest


def verify_url() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("online:verify")


def render_stamped_pdf(version, *, signatures: list, paper: list, agreement: Agreement) -> bytes:
    """The final agreement: the signed text, then a page listing every signature (electronic ones with their
    time, "电子签名" and verification code), the mediator's signature and the seal."""
    case = Case.objects.select_related("center", "origin_center").get(pk=agreement.case_id)
    context = _context(case, agreement)
    context.update(
        {
            "version": version,
            "e_signatures": signatures,
            "paper_signatures": paper,
            "real_agreement": agreement,
            "verify_url": verify_url(),
            "verify_qr": qr_data_uri(verify_url()),
        }
    )
    return render_pdf("online/documents/agreement_stamped.html", context)
