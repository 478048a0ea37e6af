"""Retention (issue 22 item 5): closed cases past their keeping period leave the working tables for the
archive, and citizen accounts that never had a case are deleted after a period (个人信息保护法 art. 47).

1. ``RETENTION_CASE_YEARS`` (0: off): a case closed more than that many years ago, with no follow-up visit
   still due, is archived one at a time, each in its own transaction: its case file (卷宗) is rendered as the
   staff copy and written with the case's evidence files into ``ARCHIVE_ROOT/<year>/<case number>/``
   (SHA-256 of each in the snapshot), an ``ArchivedCase`` row keeps what finding and printing need (number,
   tracking code, center, type, party names, dates, the timeline's chain head) plus a JSON snapshot of the
   case, its parties and its timeline; then the case and every row hanging from it are deleted under
   ``records.integrity.maintenance()``, with the case's seals (its chain ends with it, recorded in the
   archive row), so the integrity check of what remains stays clean. A case whose files cannot be written
   stays where it is and is named in the run's log.
2. ``RETENTION_CITIZEN_DAYS`` (0: off): a citizen account not used (last sign-in, or joining if never) for
   that many days, that is no party of any case and acted on no timeline, is deleted with its consultations,
   appointments and home-visit requests. Its security audit rows keep their username (the only change the
   append-only guard lets through is the foreign key to the deleted account becoming empty).
3. Every run, including a dry run, writes a ``RetentionRun`` row with its counts and the case numbers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from cases.core.models import Attachment, Case, Party, TimelineEvent
from cases.core.states import Status
from cases.documents.lifecycle import build_case_file_pdf
from cases.lifecycle.models import FollowUpVisit
from cases.portal.selectors import cases_for_citizen

from .integrity import maintenance
from .models import ArchivedCase, RetentionRun, TimelineSeal

log = logging.getLogger(__name__)


def archive_root() -> Path:
    return Path(settings.ARCHIVE_ROOT)


def cases_due_for_archive(now=None):
    years = settings.RETENTION_CASE_YEARS
    if years <= 0:
        return Case.objects.none()
    now = now or timezone.now()
    cutoff = now - timedelta(days=365 * years)
    visit_due = FollowUpVisit.objects.filter(case=OuterRef("pk"), visited_at__isnull=True)
    return (
        Case.objects.filter(status=Status.CLOSED, closed_at__lt=cutoff)
        .exclude(Exists(visit_due))
        .order_by("closed_at", "pk")
    )


def citizens_due_for_deletion(now=None):
    days = settings.RETENTION_CITIZEN_DAYS
    if days <= 0:
        return User.objects.none()
    cutoff = (now or timezone.now()) - timedelta(days=days)
    idle = User.objects.filter(kind=User.Kind.CITIZEN, is_staff=False).exclude(last_login__gte=cutoff)
    idle = idle.filter(date_joined__lt=cutoff).exclude(
        Exists(TimelineEvent.objects.filter(actor=OuterRef("pk")))
    )
    # "No party of any case" is the portal's own rule of which cases are a citizen's (one place).
    return [user for user in idle.order_by("pk") if not cases_for_citizen(user).exists()]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _snapshot(case: Case) -> dict:
    parties = list(
        Party.objects.filter(case=case).values(
            "role", "kind", "name", "id_type", "id_number", "phone", "address"
        )
    )
    events = list(
        case.events.order_by("pk").values("pk", "type", "actor_id", "created_at", "is_public", "data")
    )
    seals = dict(TimelineSeal.objects.filter(case_id=case.pk).values_list("event_id", "hash"))
    for event in events:
        event["seal"] = seals.get(event["pk"], "")
    fields = {
        f.attname: getattr(case, f.attname)
        for f in Case._meta.concrete_fields
        if f.attname not in {"raw_payload"}
    }
    return json.loads(
        json.dumps({"case": fields, "parties": parties, "events": events}, cls=DjangoJSONEncoder)
    )


def archive_case(case: Case) -> ArchivedCase:
    """Move one closed case to the archive (files first, then the rows, in one transaction)."""
    folder = archive_root() / str(case.closed_at.year) / case.number.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    pdf = build_case_file_pdf(case, full_identity=True)
    (folder / "卷宗.pdf").write_bytes(pdf)
    files = []
    for attachment in Attachment.objects.filter(case=case).order_by("pk"):
        source = Path(attachment.file.path)
        if not source.exists():
            files.append({"name": attachment.file.name, "missing": True})
            continue
        target = folder / "evidence" / Path(attachment.file.name).name
        target.parent.mkdir(exist_ok=True)
        shutil.copy2(source, target)
        files.append(
            {"name": target.name, "sha256": _sha256(target.read_bytes()), "source": attachment.file.name}
        )
    snapshot = _snapshot(case) | {"files": files}
    head = snapshot["events"][-1]["seal"] if snapshot["events"] else ""
    with maintenance():
        archived = ArchivedCase.objects.create(
            case_number=case.number,
            tracking_code=case.tracking_code,
            center=case.center,
            dispute_type=str(case.dispute_type),
            party_names="、".join(p["name"] for p in snapshot["parties"])[:500],
            summary=case.summary,
            status_label=case.get_status_display(),
            registered_at=case.created_at,
            closed_at=case.closed_at,
            folder=str(folder.relative_to(archive_root())),
            case_file_sha256=_sha256(pdf),
            timeline_head=head,
            snapshot=snapshot,
        )
        sources = [Path(a.file.path) for a in Attachment.objects.filter(case=case)]
        TimelineSeal.objects.filter(case_id=case.pk).delete()
        case.delete()
        transaction.on_commit(lambda: [p.unlink(missing_ok=True) for p in sources])
    return archived


def run_retention(*, now=None, dry_run: bool = False) -> RetentionRun:
    run = RetentionRun.objects.create(dry_run=dry_run)
    archived, failed = [], []
    due = list(cases_due_for_archive(now).select_related("center", "dispute_type"))
    for case in due:
        if dry_run:
            archived.append(case.number)
            continue
        try:
            archive_case(case)
            archived.append(case.number)
        except Exception as exc:  # one case failing must not stop the others; it is named in the log
            log.exception("retention: could not archive %s", case.number)
            failed.append({"case": case.number, "error": str(exc)[:300]})
    citizens = citizens_due_for_deletion(now)
    deleted = []
    for user in citizens:
        deleted.append(user.username)
        if not dry_run:
            with transaction.atomic():
                user.delete()
    run.cases_archived = len(archived)
    run.citizens_deleted = len(deleted)
    run.detail = {"archived": archived, "failed": failed, "citizens": len(deleted)}
    run.finished_at = timezone.now()
    run.save()
    return run
