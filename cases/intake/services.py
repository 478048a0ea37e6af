"""Registration: the one service every intake path (counter, API, online application) goes through."""

import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Center, User
from cases.core import events, states
from cases.core.attachments import build_attachment
from cases.core.models import Attachment, Case, CaseNumberSequence, DisputeType, Party, Source, TimelineEvent
from cases.core.services import counter_identity_fields, lock_case
from cases.core.states import Status
from cases.core.workcalendar import one_reference_version
from cases.intake.rules import IntakeRefused, TooManyParties, check_party_count  # noqa: F401 (TooManyParties: re-exported)
from cases.warnings import sweep as warnings_sweep
from mediation_center.transactions import entry_point

# No 0/O, 1/I/L, 2 (so Z is unambiguous), 5/S, 8/B: 26 characters, 12 of them give 56 bits.
TRACKING_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXYZ"
TRACKING_LENGTH = 12


@dataclass
class PartyData:
    role: str
    name: str
    kind: str = Party.Kind.PERSON
    id_type: str = ""
    id_number: str = ""
    id_legacy: bool = False
    sex: str = ""
    birth_date: date | None = None
    phone: str = ""
    address: str = ""
    area_code: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    is_representative: bool = False


@dataclass
class CaseData:
    dispute_type: DisputeType
    summary: str
    parties: list[PartyData]
    source: str = Source.COUNTER
    claims: str = ""
    amount: Decimal | None = None
    people_count: int = 1
    place: str = ""
    is_group: bool = False
    risk_violence: bool = False
    risk_mass_incident: bool = False
    risk_upward_petition: bool = False
    police_calls: int = 0
    external_system: str = ""
    external_id: str = ""
    raw_payload: dict | None = None
    extra: dict = field(default_factory=dict)


def registered_fields(data: CaseData, center, *, year: int, serial: int) -> dict:
    """A new case's columns that come from what was registered and where: one place for the counter's
    registration and the quick record's one-call path (``cases.lifecycle.services.register_and_close_case``)."""
    return {
        "number": format_case_number(center, year, serial),
        "year": year,
        "serial": serial,
        "tracking_code": new_tracking_code(),
        "origin_center": center,
        "center": center,
        "source": data.source,
        "dispute_type": data.dispute_type,
        "summary": data.summary,
        "claims": data.claims,
        "amount": data.amount,
        "people_count": data.people_count,
        "place": data.place,
        "is_group": data.is_group,
        "risk_violence": data.risk_violence,
        "risk_mass_incident": data.risk_mass_incident,
        "risk_upward_petition": data.risk_upward_petition,
        "police_calls": data.police_calls,
        "external_system": data.external_system,
        "external_id": data.external_id,
        "raw_payload": data.raw_payload,
    }


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def format_case_number(center: Center, year: int, serial: int) -> str:
    return f"({year}){center.short_name}{settings.CASE_NUMBER_WORD}字第{serial}号"


def next_serial(center: Center, year: int) -> int:
    """Gapless per center and year: the sequence row is locked until the caller's transaction ends.

    One statement (``UPDATE … RETURNING``, PostgreSQL and SQLite ≥ 3.35) once the row exists: it locks
    the row as ``select_for_update`` did, and a concurrent caller waits, then counts from our value."""
    meta = CaseNumberSequence._meta
    connection = connections[router.db_for_write(CaseNumberSequence)]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {quote('last_serial')} = {quote('last_serial')} + 1 "
        f"WHERE {quote(meta.get_field('center').column)} = %s AND {quote('year')} = %s "
        f"RETURNING {quote('last_serial')}"
    )
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(sql, [center.pk, year])
            row = cursor.fetchone()
        if row is not None:
            return row[0]
        CaseNumberSequence.objects.get_or_create(
            center=center, year=year
        )  # the center's first case this year
    raise RuntimeError("case number sequence row missing")  # pragma: no cover - created just above


def _lock_other(case_id: int, *, exclude: int | None = None) -> Case:
    other = lock_case(case_id)
    if exclude is not None and other.pk == exclude:
        raise IntakeRefused(_("不能与本案自身关联。"))
    if other.merged_into_id:
        raise IntakeRefused(
            _("案件 %(number)s 已并入其他案件，请选择其并入的案件。") % {"number": other.number}
        )
    return other


@entry_point
@one_reference_version()
def register_case(
    *,
    center: Center,
    actor: User | None,
    data: CaseData,
    status: str = Status.REGISTERED,
    repeat_of: Case | None = None,
    merge_into: Case | None = None,
    attachments: list[UploadedFile] | tuple = (),
    event_extra: dict | None = None,
) -> Case:
    """Register a case with its parties and one 'registered' (or 'submitted') timeline event, atomically.

    ``event_extra`` adds what the caller knows to that event (the portal: the applicant's privacy consent).

    ``repeat_of`` marks the visit as a repeat of an earlier case (its repeat count goes up);
    ``merge_into`` merges the new case into an open one (并单), keeping both records.
    """
    if repeat_of is not None and merge_into is not None:
        raise IntakeRefused(_("同一案件不能同时标记为重复来访和并单。"))
    check_party_count(len(data.parties))
    # Lock the linked case before the number sequence, in the same order as mark_repeat/merge_case.
    original = _lock_other(repeat_of.pk) if repeat_of is not None else None
    target = _lock_other(merge_into.pk) if merge_into is not None else None
    if target is not None and not target.is_open:
        raise IntakeRefused(_("只能并入尚未办结的案件。"))
    year = timezone.localdate().year
    serial = next_serial(center, year)
    now = timezone.now()
    case = Case.objects.create(
        **registered_fields(data, center, year=year, serial=serial),
        status=status,
        registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        accepted_at=now if status == Status.REGISTERED else None,
        repeat_of=original,
        merged_into=target,
    )
    parties = [
        Party(
            case=case,
            **vars(p),
            **counter_identity_fields(
                role=p.role, kind=p.kind, id_number=p.id_number, actor=actor, source=data.source, now=now
            ),
        )
        for p in data.parties
    ]
    Party.objects.bulk_create(parties)
    # The parties as written, for the registration event's hooks (the search index), so they need not read
    # them back; a hook takes them once (``registered_parties``), nothing else sees them.
    case._registered_parties = parties
    if original is not None:
        original.repeat_count += 1
        original.save(update_fields=["repeat_count", "updated_at"])
    for upload in attachments:
        build_attachment(case, upload, uploaded_by=actor)
    event_data = {"source": data.source, "parties": len(data.parties)}
    if checked := sum(1 for p in parties if p.identity_verified_at):
        event_data["identity_verified"] = checked  # the clerk saw these applicants' IDs at the window
    if attachments:
        event_data["attachments"] = len(attachments)
    if original is not None:
        event_data.update(repeat_of=original.number, reason=_("重复来访，前案 %s") % original.number)
    if target is not None:
        event_data.update(merged_into=target.number, reason=_("并单，并入 %s") % target.number)
    event_data.update(event_extra or {})
    event = events.SUBMITTED if status == Status.SUBMITTED else events.REGISTERED
    event.record(case, actor=actor, data=event_data)
    warnings_sweep.on_case_registered(case, actor=actor)
    return case


def _changed_fields(old: dict, new: dict) -> dict[str, dict]:
    """The top-level fields whose values differ between two pushed payloads, with both values."""
    return {
        key: {"from": old.get(key), "to": new.get(key)}
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    }


@entry_point
def record_external_update(case: Case, *, actor: User | None, payload: dict) -> list[str]:
    """A push under a known external id: if its payload differs from the last one received (the case's
    ``raw_payload``, or the last recorded update), one 外部系统更新 event records the changed fields and the
    new payload, for the case's staff to decide what to change; the case itself is not changed. Returns
    the changed field names; none (and nothing written) for an identical repeat."""
    case = lock_case(case)
    last = (
        case.events.filter(type=events.EXTERNAL_UPDATED.code)
        .order_by("-created_at", "-pk")
        .values_list("data", flat=True)
        .first()
    )
    previous = (last or {}).get("payload") if last else case.raw_payload
    changed = _changed_fields(previous or {}, payload)
    if not changed:
        return []
    events.EXTERNAL_UPDATED.record(
        case,
        actor=actor,
        data={
            "system": case.external_system,
            "changed": changed,
            "payload": payload,
            "reason": _("外部系统推送了变更：%(fields)s（未自动修改案件，请核对）")
            % {"fields": "、".join(changed)},
        },
    )
    return list(changed)


# The statuses a source system may report with an update (GeoReport's, and mySociety's extended ones) that ask
# the staff to act: a citizen who withdrew on the hotline, or an order the system closed on its side.
_UPDATE_ASKS = {
    "CLOSED": _("来源系统报告该工单已关闭（如群众在热线撤回），请承办人员核实后办理。"),
    "WITHDRAWN": _("来源系统报告群众已撤回申请，请承办人员核实后办理撤回。"),
}


@entry_point
def record_external_note(
    case: Case,
    *,
    actor: User | None,
    system_code: str,
    update_id: str,
    description: str,
    status: str = "",
    name: str = "",
    updated_at: str = "",
) -> TimelineEvent:
    """A source system's update on a case it pushed (a caller added information, the citizen withdrew on the
    hotline): one 外部系统补充信息 event for the case's staff, who decide what to change; the case itself is not
    changed. Idempotency on ``update_id`` is the caller's (cases/intake/api.py)."""
    case = lock_case(case)
    status = (status or "").strip().upper()
    event = events.EXTERNAL_NOTE.record(
        case,
        actor=actor,
        data={
            "system": system_code,
            "update_id": update_id,
            "status": status,
            "description": description,
            "name": name,
            "updated_datetime": updated_at,
            "reason": str(_UPDATE_ASKS.get(status, _("来源系统补充了信息，请承办人员查看。")))
            + str(_("内容：%(text)s") % {"text": description[:500]}),
        },
    )
    return event


@entry_point
def accept_case(case: Case, *, actor: User) -> Case:
    """Accept an online application waiting at the window (submitted → registered)."""
    case = lock_case(case)
    states.move(case, Status.REGISTERED)
    events.ACCEPTED.record(case, actor=actor, data={})
    warnings_sweep.on_case_changed(case, trigger="accepted", actor=actor)
    return case


@entry_point
def refuse_case(case: Case, *, actor: User, reason: str) -> Case:
    """Refuse a case at the window (→ not accepted); the reason is required and told to the citizen."""
    reason = (reason or "").strip()
    if not reason:
        raise IntakeRefused(_("不予受理须填写理由。"), code="reason_required")
    case = lock_case(case)
    case.outcome = Status.NOT_ACCEPTED
    case.outcome_reason = reason
    states.move(case, Status.NOT_ACCEPTED, extra_fields=("outcome", "outcome_reason"))
    events.NOT_ACCEPTED.record(case, actor=actor, data={"reason": reason})
    warnings_sweep.on_case_changed(case, trigger="closed", actor=actor)
    return case


def _lock_pair(case: Case, other: Case) -> tuple[Case, Case]:
    # Lock in primary-key order so two clerks linking the same pair cannot deadlock.
    locked = {
        c.pk: c for c in Case.objects.select_for_update().filter(pk__in=[case.pk, other.pk]).order_by("pk")
    }
    if case.pk == other.pk:
        raise IntakeRefused(_("不能与本案自身关联。"))
    return locked[case.pk], locked[other.pk]


@entry_point
def mark_repeat(case: Case, *, actor: User, original: Case) -> Case:
    """Mark ``case`` as a repeat visit (重复访) of ``original``; the original's repeat count goes up."""
    case, original = _lock_pair(case, original)
    if case.repeat_of_id or case.merged_into_id:
        raise IntakeRefused(_("本案已标记为重复来访或已并单。"))
    if original.merged_into_id:
        raise IntakeRefused(
            _("案件 %(number)s 已并入其他案件，请选择其并入的案件。") % {"number": original.number}
        )
    case.repeat_of = original
    case.save(update_fields=["repeat_of", "updated_at"])
    original.repeat_count += 1
    original.save(update_fields=["repeat_count", "updated_at"])
    events.MARKED_REPEAT.record(
        case,
        actor=actor,
        data={"repeat_of": original.number, "reason": _("前案 %s") % original.number},
    )
    warnings_sweep.on_case_changed(original, actor=actor)  # repeat visits feed the risk level
    return case


@entry_point
def merge_case(case: Case, *, actor: User, into: Case) -> Case:
    """Merge ``case`` into the open case ``into`` (并单); both records and their timelines stay."""
    case, into = _lock_pair(case, into)
    if case.merged_into_id:
        raise IntakeRefused(_("本案已并单。"))
    if into.merged_into_id:
        raise IntakeRefused(
            _("案件 %(number)s 已并入其他案件，请选择其并入的案件。") % {"number": into.number}
        )
    if not into.is_open:
        raise IntakeRefused(_("只能并入尚未办结的案件。"))
    case.merged_into = into
    case.save(update_fields=["merged_into", "updated_at"])
    events.MERGED.record(
        case, actor=actor, data={"merged_into": into.number, "reason": _("并入 %s") % into.number}
    )
    return case


@entry_point
def add_attachments(
    case: Case, *, actor: User | None, files: list[UploadedFile], description: str = ""
) -> list[Attachment]:
    """Attach evidence to a case; each file is checked against the size limit and type allow-list."""
    if not files:
        raise IntakeRefused(_("请选择要上传的文件。"), code="no_file")
    case = lock_case(case)
    created = [build_attachment(case, f, uploaded_by=actor, description=description) for f in files]
    events.ATTACHMENT_ADDED.record(case, actor=actor, data={"files": [a.original_name for a in created]})
    return created
