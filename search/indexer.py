"""Keeping the search index current: a sweep within a minute of each change, and the whole index rebuilt by
``manage.py rebuild_search_index``.

The change that writes a timeline event (the timeline's RECORD_HOOKS) only queues its case (``IndexQueue``, one
insert in its own transaction, so it commits or rolls back with the change) and, for a new case, writes its
exact keys at once: its number, tracking code, phones and IDs find it immediately. The words (jieba, then the
GIN or FTS5 index) are the sweep's work (``index_pending``, Celery beat every
``search.apps.SWEEP_SECONDS``, 30 s), which rebuilds the queued cases' rows and deletes their queued rows in one transaction: a new or changed
case is found by its words within a minute, and a sweep that dies loses nothing (its deletes roll back).

The index is derived data, so writing it is no state change of its own (no timeline event).
"""

import re
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from cases.core.models import Case, Party, TimelineEvent
from cases.lifecycle.models import (
    Agreement,
    AgreementTerm,
    MediationSession,
    OralAgreement,
    TerminationNotice,
)
from mediation_center.transactions import entry_point
from search.models import CaseIndex, CaseKey, IndexQueue
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
        "court_confirmation_deadline_near", "court_confirmation_deadline_lapsed",
    }
)  # fmt: skip
# A case's first event: its keys are written at once, from the parties its service hands over.
FIRST_EVENTS = frozenset({"registered", "submitted"})
EXCERPT_MAX = 4000
SWEEP_CHUNK = 200  # queued rows per transaction of the sweep (about 0.2 s of segmentation)
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


def index_cases(case_ids: list[int]) -> int:
    """Rebuild the index rows and keys of ``case_ids`` (inside the caller's transaction): the sweep's and the
    rebuild command's work, ten statements for a batch of any size."""
    cases = list(Case.objects.filter(pk__in=case_ids).select_related("dispute_type", "center"))
    if not cases:
        return 0
    ids = [c.pk for c in cases]
    parties: dict[int, list[Party]] = defaultdict(list)
    for party in Party.objects.filter(case_id__in=ids).order_by("pk"):
        parties[party.case_id].append(party)
    records = lifecycle_texts(ids)
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
    CaseKey.objects.filter(case_id__in=ids).delete()
    CaseKey.objects.bulk_create(keys, ignore_conflicts=True)
    return len(rows)


def _queue(case: Case, merged: bool) -> None:
    """The change's part: one queued row (two after a merge, the target's text changed too), and for a new case
    its exact keys at once from the parties its service handed over (the case number, tracking code, phones and
    IDs find it before the sweep runs; nothing is read back, nothing is segmented)."""
    queued = [IndexQueue(case_id=case.pk)]
    if merged and case.merged_into_id:
        queued.append(IndexQueue(case_id=case.merged_into_id))
    IndexQueue.objects.bulk_create(queued)


def _first_keys(case: Case) -> None:
    written = case.__dict__.pop("_registered_parties", None)
    case.__dict__.pop("_registered_texts", None)  # the sweep reads the lifecycle records itself
    if written is not None:
        keys = [CaseKey(case_id=case.pk, key=k) for k in sorted(case_keys(case, written))]
        CaseKey.objects.bulk_create(keys, ignore_conflicts=True)


def index_on_event(case: Case, event: TimelineEvent) -> None:
    """RECORD_HOOKS: queue the case for the sweep after an event that may have changed its text."""
    if event.type in UNINDEXED_EVENTS:
        return
    if event.type in FIRST_EVENTS:
        _first_keys(case)
    _queue(case, merged=event.type == "merged")


def index_on_events(case: Case, events: list[TimelineEvent]) -> None:
    """``index_on_event.together``: the events of one call (``record_together``) queue the case once."""
    indexed = [e for e in events if e.type not in UNINDEXED_EVENTS]
    if not indexed:
        return
    if indexed[0].type in FIRST_EVENTS:
        _first_keys(case)
    _queue(case, merged=any(e.type == "merged" for e in indexed))


index_on_event.together = index_on_events


def _sweep_chunk(chunk: int) -> int:
    """Rebuild the rows of the oldest ``chunk`` queued rows' cases and delete those rows (in the caller's
    transaction): twelve statements, ten of them ``index_cases``."""
    rows = list(IndexQueue.objects.order_by("pk").select_for_update().values_list("pk", "case_id")[:chunk])
    if rows:
        index_cases(sorted({case_id for _pk, case_id in rows}))
        IndexQueue.objects.filter(pk__in=[pk for pk, _case_id in rows]).delete()
    return len(rows)


@entry_point(own_transactions=True)  # one transaction per chunk of queued rows
def index_pending(*, chunk: int = SWEEP_CHUNK) -> int:
    """The sweep (Celery beat, every ``search.apps.SWEEP_SECONDS``): rebuild the rows and keys of the queued
    cases, oldest first, and delete what it rebuilt in the same transaction; returns how many queued rows it
    took. Safe to run again (a case rebuilt twice is written the same) and at once: the queued rows are taken
    in id order under lock (waited for, not skipped), so a second sweep waits behind the first's rows and
    reads the cases only after the first has committed: no sweep writes an older reading of a case over a
    newer one. A change only ever inserts queued rows, so it never waits for a sweep."""
    total = 0
    while True:
        with transaction.atomic(durable=True):
            taken = _sweep_chunk(chunk)
        total += taken
        if taken < chunk:
            return total


def index_queued_now() -> int:
    """The sweep's work in the caller's transaction, the whole queue at once: for the demo seed (its cases are
    searchable as soon as it is loaded) and the tests that check what the index holds rather than when."""
    total = 0
    with transaction.atomic():  # the caller's transaction if there is one; the demo seed calls it outside any
        while taken := _sweep_chunk(SWEEP_CHUNK):
            total += taken
    return total
