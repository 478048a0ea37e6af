"""The package handed to the court: its parts rendered (outside any transaction), one combined PDF and a
machine-readable manifest with the SHA-256 of each part, downloadable as one zip.

The parts are kept byte for byte on the hand-off, so the zip built later is the package that was assembled
and the manifest's hashes can be checked against it (``verify_package``).
"""

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from pypdf import PdfWriter

from cases.core.models import Case
from cases.core.states import FINISHED_STATUSES
from cases.documents.court import build_confirmation_application_pdf, build_litigation_referral_pdf
from cases.documents.lifecycle import build_agreement_pdf, build_case_file_pdf, build_termination_notice_pdf

MANIFEST_FORMAT = "courtlink-package/1"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Part:
    kind: str
    title: str
    filename: str
    content: bytes

    @property
    def sha256(self) -> str:
        return sha256_of(self.content)


@dataclass
class Assembled:
    """What the service keeps: the parts, the combined PDF and what it was made from."""

    kind: str
    route: str
    parts: list[Part]
    combined: bytes
    agreement_id: int | None
    notice_id: int | None
    omitted: list[dict]
    parties: list[dict]  # whose full identity the package carries (for the audit)


EVIDENCE = "evidence"  # the case's evidence files (identity documents among them), kept as uploaded


def _combine(parts: list[Part]) -> bytes:
    writer = PdfWriter()
    for part in parts:
        if part.kind == EVIDENCE:  # an upload may be an image or a PDF of any quality: beside, not inside
            continue
        writer.append(io.BytesIO(part.content), outline_item=part.title)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _identity(case: Case) -> list[dict]:
    return [
        {"party": p.pk, "name": p.name, "fields": [f for f in ("id_number", "phone") if getattr(p, f)]}
        for p in case.parties.order_by("pk")
    ]


def _evidence(case: Case, *, start: int, omitted: list[dict]) -> list[Part]:
    """The case's evidence files (the parties' identity documents among them, when uploaded), byte for byte,
    in upload order; a file missing from storage is named in ``omitted`` instead of failing the package."""
    parts = []
    for n, attachment in enumerate(case.attachments.order_by("uploaded_at", "pk"), start=start):
        try:
            with attachment.file.open("rb") as handle:
                content = handle.read()
        except (OSError, ValueError):
            omitted.append({"kind": EVIDENCE, "title": attachment.original_name, "reason": "证据文件缺失"})
            continue
        suffix = Path(attachment.original_name).suffix.lower()[:10]
        title = f"证据材料：{attachment.description or attachment.original_name}"[:100]
        parts.append(Part(EVIDENCE, title, f"{n:02d}-evidence-{attachment.pk}{suffix}", content))
    return parts


def assemble(case: Case, *, kind: str, route: str, court_name: str = "") -> Assembled:
    """Render every part of the package (slow: call with no transaction open)."""
    from cases.lifecycle.selectors import lifecycle_of
    from courtlink.models import Handoff

    case = Case.objects.select_related("center", "origin_center", "dispute_type").get(pk=case.pk)
    lifecycle = lifecycle_of(case)
    parts: list[Part] = []
    omitted: list[dict] = []
    if kind == Handoff.Kind.CONFIRMATION:
        parts.append(
            Part(
                "confirmation_application",
                "司法确认申请书",
                "01-confirmation-application.pdf",
                build_confirmation_application_pdf(case, full_identity=True, court_name=court_name),
            )
        )
        parts.append(
            Part(
                "agreement",
                "人民调解协议书",
                "02-agreement.pdf",
                build_agreement_pdf(case, full_identity=True),
            )
        )
    else:
        label = str(Handoff.Route(route).label)
        parts.append(
            Part(
                "litigation_referral",
                "诉调对接移送函",
                "01-litigation-referral.pdf",
                build_litigation_referral_pdf(case, full_identity=True, route_label=label),
            )
        )
        if lifecycle.notice is not None:
            parts.append(
                Part(
                    "termination_notice",
                    "终止调解通知书",
                    "02-termination-notice.pdf",
                    build_termination_notice_pdf(case),
                )
            )
    if case.status in FINISHED_STATUSES:
        parts.append(
            Part(
                "case_file",
                "卷宗",
                f"{len(parts) + 1:02d}-case-file.pdf",
                build_case_file_pdf(case, full_identity=True),
            )
        )
    else:
        # 卷宗 is made once handling is over; an agreement may be effective before the case is concluded
        omitted.append({"kind": "case_file", "title": "卷宗", "reason": "案件尚未办结，卷宗待结案后补充"})
    parts.extend(_evidence(case, start=len(parts) + 1, omitted=omitted))
    return Assembled(
        kind=kind,
        route=route,
        parts=parts,
        combined=_combine(parts),
        agreement_id=lifecycle.agreement.pk
        if kind == Handoff.Kind.CONFIRMATION and lifecycle.agreement
        else None,
        notice_id=lifecycle.notice.pk if lifecycle.notice else None,
        omitted=omitted,
        parties=_identity(case),
    )


def manifest_for(case: Case, assembled: Assembled, *, reference: str, prepared_at, court_name: str) -> dict:
    """The machine-readable manifest: what the package is, for which case, and each part's SHA-256."""
    return {
        "format": MANIFEST_FORMAT,
        "reference": reference,
        "kind": assembled.kind,
        "route": assembled.route,
        "case": {"number": case.number, "center": case.center.name, "dispute_type": case.dispute_type.name},
        "court": court_name,
        "prepared_at": timezone.localtime(prepared_at).isoformat(),
        "agreement": assembled.agreement_id,
        "termination_notice": assembled.notice_id,
        "parties": [{"name": p["name"], "identity": p["fields"]} for p in assembled.parties],
        "parts": [
            {
                "position": i,
                "kind": part.kind,
                "title": part.title,
                "filename": part.filename,
                "sha256": part.sha256,
                "size": len(part.content),
            }
            for i, part in enumerate(assembled.parts, start=1)
        ],
        "combined": {
            "filename": "package.pdf",
            "sha256": sha256_of(assembled.combined),
            "size": len(assembled.combined),
        },
        "omitted": assembled.omitted,
    }


def manifest_bytes(manifest: dict) -> bytes:
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()


def package_zip(handoff) -> bytes:
    """The zip: manifest.json, package.pdf and every part, as kept."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", manifest_bytes(handoff.manifest))
        archive.writestr("package.pdf", bytes(handoff.package_pdf))
        for part in handoff.parts.all():
            archive.writestr(f"parts/{part.filename}", bytes(part.content))
    return out.getvalue()


def verify_package(data: bytes) -> list[str]:
    """What does not match in a package zip (empty: every part and the PDF match the manifest's hashes)."""
    problems = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        if sha256_of(archive.read("package.pdf")) != manifest["combined"]["sha256"]:
            problems.append("package.pdf")
        for part in manifest["parts"]:
            if sha256_of(archive.read(f"parts/{part['filename']}")) != part["sha256"]:
                problems.append(part["filename"])
    return problems
