"""Keeping the search index current: each case's row rebuilt in the transaction of the change that wrote an
event (the timeline's RECORD_HOOKS), and the whole index rebuilt by ``manage.py rebuild_search_index``.

The index is derived data, so writing it is no state change of its own (no timeline event): it follows the
event that the service wrote, in the same transaction, and rolls back with it.
"""

import re
from collections import defaultdict
from collections.abc import Iterable

from cases.core.models import Case, Party, TimelineEvent
from cases.lifecycle.models import (
    Agreement,
    AgreementTerm,
    MediationSession,
    OralAgreement,
    TerminationNotice,
)
from search.models import CaseIndex, CaseKey
from search.segment import concepts, index_tokens, name_tokens, normalize

# Events that change nothing the index holds (no text of the case, its parties or its lifecycle records);
# every other event, including types added later, rebuilds the case's row.
UNINDEXED_EVENTS = frozenset(
    {
        "sensitive_revealed", "identity_verified", "attachment_added", "portal_message", "portal_rated",
        "portal_appointment", "warning_level_changed", "clock_paused", "clock_resumed", "clock_extended",
        "supervision_issued", "supervision_acknowledged", "supervision_reported", "conference_recorded",
        "risk_updated", "routed", "assigned", "claimed", "recused", "summoned", "summons_accepted",
        "summons_declined", "summons_action", "access_granted", "access_revoked", "reviewer_designated",
        "agreement_signed", "agreement_effective", "follow_up_recorded", "follow_up_reopened", "evaluated",
    }
)  # fmt: skip
# Events after which the case has no session, agreement or notice yet: nothing of the lifecycle to read.
FIRST_EVENTS = frozenset({"registered", "submitted"})
EXCERPT_MAX = 4000
_SEPARATORS = re.compile(r"[\s\-()（）]")


def phone_key(value: str) -> str:
    phone = _SEPARATORS.sub("", normalize(value))
    return phone[3:] if phone.startswith("+86") else phone


def query_keys(query: str) -> set[str]:
    """The keys a query may be: as typed (normalised, spaces dropped), as a phone, as a serial (第12号, 12)."""
    plain = re.sub(r"\s", "", normalize(query))
    if not plain:
        return set()
    keys = {plain, phone_key(plain)}
    if serial := re.fullmatch(r"第?0*(\d{1,7})号?", plain):
        keys.add(serial.group(1))
    return {k for k in keys if k and len(k) <= 80}


def case_keys(case: Case, parties: Iterable[Party]) -> set[str]:
    keys = {normalize(case.number), normalize(case.tracking_code), str(case.serial)}
    for party in parties:
        if party.phone:
            keys.add(phone_key(party.phone))
        if party.id_number:
            keys.add(normalize(party.id_number).strip())
        if party.credit_code:
            keys.add(normalize(party.credit_code).strip())
    return {k for k in keys if k and len(k) <= 80}


def _words(*texts: str) -> list[str]:
    return [w for text in texts if text for w in index_tokens(text)]


def build_row(case: Case, parties: list[Party], records: dict[str, list[str]]) -> tuple[CaseIndex, set[str]]:
    """The index row and keys of one case from its loaded parts (``records``: the lifecycle texts)."""
    names: list[str] = []
    respondents: list[str] = []
    for party in parties:
        names += name_tokens(party.name) + name_tokens(party.legal_representative)
        if party.kind == Party.Kind.PERSON and party.name:
            names.append(normalize(party.name[0]))  # the surname alone finds the person, as the old box did
        if party.role == Party.Role.RESPONDENT:
            respondents.append(party.name)
    head = names + _words(case.dispute_type.name, case.summary)
    lifecycle = records.get(case.pk, [])
    body_texts = [case.claims, case.place, case.outcome_reason, case.closing_summary, *lifecycle]
    body = _words(*body_texts)
    head += concepts(head + body)
    excerpt = "\n".join(t for t in [case.claims, *lifecycle, case.outcome_reason, case.closing_summary] if t)
    row = CaseIndex(
        case_id=case.pk,
        head=" ".join(head),
        body=" ".join(body),
        excerpt=excerpt[:EXCERPT_MAX],
        respondents="、".join(respondents)[:400],
        county_id=case.center.root_id,
        created_at=case.created_at,
    )
    return row, case_keys(case, parties)


def lifecycle_texts(case_ids: list[int]) -> dict[int, list[str]]:
    """The session records, agreements, terms and termination reasons of ``case_ids``: five queries."""
    texts: dict[int, list[str]] = defaultdict(list)
    for case_id, discussion, result in MediationSession.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "discussion", "result"
    ):
        texts[case_id] += [discussion, result]
    for case_id, facts, issues, duties in Agreement.objects.filter(
        case_id__in=case_ids, voided=False
    ).values_list("case_id", "facts", "issues", "responsibilities"):
        texts[case_id] += [facts, issues, duties]
    for case_id, content, performance in AgreementTerm.objects.filter(
        agreement__case_id__in=case_ids, agreement__voided=False
    ).values_list("agreement__case_id", "content", "performance"):
        texts[case_id] += [content, performance]
    for case_id, content in OralAgreement.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "content"
    ):
        texts[case_id].append(content)
    for case_id, reason in TerminationNotice.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "reason"
    ):
        texts[case_id].append(reason)
    return texts


def index_cases(case_ids: list[int], *, first: bool = False, loaded: Case | None = None) -> int:
    """Rebuild the index rows and keys of ``case_ids`` (inside the caller's transaction). ``first``: the cases
    were just registered (no lifecycle records, no keys yet); ``loaded``: that one case as the service holds it,
    so it is not read again (registration pays for the two writes, nothing more: its parties come with it)."""
    if loaded is not None:
        cases = [loaded]
    else:
        cases = list(Case.objects.filter(pk__in=case_ids).select_related("dispute_type", "center"))
    if not cases:
        return 0
    ids = [c.pk for c in cases]
    parties: dict[int, list[Party]] = defaultdict(list)
    written = loaded.__dict__.pop("_registered_parties", None) if loaded is not None else None
    if written is not None:
        parties[loaded.pk] = list(written)  # registration hands over the parties it wrote: no read back
    else:
        for party in Party.objects.filter(case_id__in=ids).order_by("pk"):
            parties[party.case_id].append(party)
    handed = loaded.__dict__.pop("_registered_texts", None) if loaded is not None else None
    if handed is not None:
        records = {loaded.pk: list(handed)}  # a case registered and closed in one call hands its records over
    else:
        records = {} if first else lifecycle_texts(ids)
    rows, keys = [], []
    for case in cases:
        row, case_key_set = build_row(case, parties[case.pk], records)
        rows.append(row)
        keys += [CaseKey(case_id=case.pk, key=k) for k in sorted(case_key_set)]
    CaseIndex.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["head", "body", "excerpt", "respondents", "county_id", "created_at", "indexed_at"],
    )
    if not first:
        CaseKey.objects.filter(case_id__in=ids).delete()
    CaseKey.objects.bulk_create(keys, ignore_conflicts=True)
    return len(rows)


def index_on_event(case: Case, event: TimelineEvent) -> None:
    """RECORD_HOOKS: rebuild the case's row after an event that may have changed its text."""
    if event.type in UNINDEXED_EVENTS:
        return
    first = event.type in FIRST_EVENTS
    index_cases([case.pk], first=first, loaded=case if first else None)
    if event.type == "merged" and case.merged_into_id:
        index_cases([case.merged_into_id])


def index_on_events(case: Case, events: list[TimelineEvent]) -> None:
    """``index_on_event.together``: the events of one call (``record_together``) rebuild the row once. A case
    whose first event is among them is new: with the texts its service handed over (``_registered_texts``,
    the lifecycle records it wrote, as ``lifecycle_texts`` would read them) nothing is read back."""
    indexed = [e for e in events if e.type not in UNINDEXED_EVENTS]
    if not indexed:
        return
    first = indexed[0].type in FIRST_EVENTS
    if first and "_registered_texts" not in case.__dict__ and len(indexed) > 1:
        first = False  # lifecycle records may exist and were not handed over: read them
    index_cases([case.pk], first=first, loaded=case if first else None)
    if any(e.type == "merged" for e in indexed) and case.merged_into_id:
        index_cases([case.merged_into_id])


index_on_event.together = index_on_events
