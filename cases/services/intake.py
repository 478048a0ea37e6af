"""Registration: the one service every intake path (counter, API, online application) goes through."""

import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Center, User
from cases import timeline
from cases.models import Case, CaseNumberSequence, DisputeType, Party, Source, Status
from cases.services import warnings

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: 26 characters, 12 of them give 56 bits.
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


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def format_case_number(center: Center, year: int, serial: int) -> str:
    return f"({year}){center.short_name}{settings.CASE_NUMBER_WORD}字第{serial}号"


def next_serial(center: Center, year: int) -> int:
    """Gapless per center and year: the sequence row is locked until the caller's transaction ends."""
    CaseNumberSequence.objects.get_or_create(center=center, year=year)
    sequence = CaseNumberSequence.objects.select_for_update().get(center=center, year=year)
    sequence.last_serial += 1
    sequence.save(update_fields=["last_serial"])
    return sequence.last_serial


def register_case(
    *, center: Center, actor: User | None, data: CaseData, status: str = Status.REGISTERED
) -> Case:
    """Register a case with its parties and one 'registered' (or 'submitted') timeline event, atomically."""
    with transaction.atomic():
        year = timezone.localdate().year
        serial = next_serial(center, year)
        now = timezone.now()
        case = Case.objects.create(
            number=format_case_number(center, year, serial),
            year=year,
            serial=serial,
            tracking_code=new_tracking_code(),
            origin_center=center,
            center=center,
            status=status,
            source=data.source,
            dispute_type=data.dispute_type,
            summary=data.summary,
            claims=data.claims,
            amount=data.amount,
            people_count=data.people_count,
            place=data.place,
            is_group=data.is_group,
            risk_violence=data.risk_violence,
            risk_mass_incident=data.risk_mass_incident,
            risk_upward_petition=data.risk_upward_petition,
            police_calls=data.police_calls,
            registered_by=actor if getattr(actor, "is_authenticated", False) else None,
            external_system=data.external_system,
            external_id=data.external_id,
            raw_payload=data.raw_payload,
            accepted_at=now if status == Status.REGISTERED else None,
        )
        Party.objects.bulk_create([Party(case=case, **vars(p)) for p in data.parties])
        event = timeline.SUBMITTED if status == Status.SUBMITTED else timeline.REGISTERED
        event.record(case, actor=actor, data={"source": data.source, "parties": len(data.parties)})
        warnings.on_case_changed(case, trigger="registered", actor=actor)
    return case
