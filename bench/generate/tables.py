"""The list of tables in insertion order, case-number sequences, row counts and the run's report."""

import io
import resource
import time

from django.db import connection
from django.utils import timezone

from accounts.models import User
from bench.generate import grassroots
from bench.generate.context import Context
from bench.generate.copy import Table
from bench.generate.feedback import (
    citizen_rows,
    conference_rows,
    pending_event_rows,
    rating_rows,
    summons_rows,
    supervision_rows,
)
from bench.generate.lifecycle import (
    agreement_rows,
    assignment_rows,
    clock_rows,
    session_rows,
    term_rows,
    visit_rows,
    warning_change_rows,
)
from bench.generate.participants import (
    evaluation_rows,
    oral_agreement_rows,
    session_mediator_rows,
    session_party_rows,
    signature_rows,
    termination_notice_rows,
)
from bench.generate.people import party_rows
from bench.generate.rows import case_rows, event_rows
from cases.core.models import Case, CaseNumberSequence, Party, TimelineEvent
from cases.lifecycle.models import (
    Agreement,
    AgreementSignature,
    AgreementTerm,
    Evaluation,
    FollowUpVisit,
    MediationSession,
    OralAgreement,
    TerminationNotice,
)
from cases.portal.models import Rating
from cases.warnings.models import CaseClock, CaseConference, SupervisionOrder, WarningChange
from grassroots.models import Entry
from routing.models import CaseAssignment, Summons

# The per-table generators, in insertion order (a table's foreign keys point to earlier ones).
# A table added by a new area is one more generator function and one more line in EXTRA_TABLES.
TABLES: list[Table] = []


VIA_SESSION = (
    "SELECT DISTINCT s.case_id FROM {table} x JOIN cases_mediationsession s ON s.id = x.mediationsession_id "
    "WHERE s.case_id = ANY(%s)"
)
VIA_AGREEMENT = (
    "SELECT DISTINCT a.case_id FROM {table} x JOIN cases_agreement a ON a.id = x.agreement_id "
    "WHERE a.case_id = ANY(%s)"
)


def extra_tables() -> list[Table]:
    """The tables filled from a case's plan alone; ``--only-extra`` fills them for cases already there.
    The last one writes the timeline events the others queued (``Chunk.event``)."""
    return [
        Table(CaseAssignment, assignment_rows),
        Table(MediationSession, session_rows),
        Table(MediationSession.parties.through, session_party_rows, auto_id=True, has_rows=VIA_SESSION),
        Table(MediationSession.mediators.through, session_mediator_rows, auto_id=True, has_rows=VIA_SESSION),
        Table(Agreement, agreement_rows),
        Table(AgreementTerm, term_rows, has_rows=VIA_AGREEMENT),
        Table(AgreementSignature, signature_rows, auto_id=True, has_rows=VIA_AGREEMENT),
        Table(OralAgreement, oral_agreement_rows),
        Table(TerminationNotice, termination_notice_rows),
        Table(Evaluation, evaluation_rows),
        Table(FollowUpVisit, visit_rows),
        Table(CaseClock, clock_rows),
        Table(WarningChange, warning_change_rows),
        Table(
            User, citizen_rows, has_rows="SELECT DISTINCT case_id FROM cases_rating WHERE case_id = ANY(%s)"
        ),
        Table(Rating, rating_rows),
        Table(Summons, summons_rows),
        Table(SupervisionOrder, supervision_rows),
        Table(CaseConference, conference_rows),
        Table(Entry, grassroots.entry_rows),  # grassroots' quick records
        Table(TimelineEvent, pending_event_rows, has_rows=None),
    ]


def tables() -> list[Table]:
    if not TABLES:
        TABLES.extend(
            [
                Table(Case, case_rows),
                Table(Party, party_rows),
                Table(TimelineEvent, event_rows),
                *extra_tables(),
            ]
        )
    return TABLES


def save_sequences(cursor, ctx: Context) -> None:
    """Store the chunk's last serials (same transaction) so that register_case continues after them."""
    buffer = io.StringIO()
    for center_id, year in ctx.touched:
        buffer.write(f"{center_id}\t{year}\t{ctx.serials[(center_id, year)]}\n")
    ctx.touched.clear()
    buffer.seek(0)
    cursor.execute("CREATE TEMP TABLE IF NOT EXISTS gen_seq (center_id bigint, year int, last_serial int)")
    cursor.execute("DELETE FROM gen_seq")
    cursor.copy_expert("COPY gen_seq FROM STDIN", buffer)
    table = CaseNumberSequence._meta.db_table
    cursor.execute(
        f"INSERT INTO {table} (center_id, year, last_serial) SELECT center_id, year, last_serial FROM gen_seq "
        f"ON CONFLICT (center_id, year) DO UPDATE SET last_serial = GREATEST({table}.last_serial, EXCLUDED.last_serial)"
    )


def row_counts(tables: list[Table]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for t in tables:
        counts[t.name] = counts.get(t.name, 0) + t.count
    return counts


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def vacuum(cursor, tables: list[str]) -> None:
    """VACUUM also sets the visibility map, without which index-only scans read the heap anyway;
    it cannot run inside a transaction (the tests), where ANALYZE does."""
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    for name in dict.fromkeys(tables):
        cursor.execute(f"{command} {name}")


def run_summary(cases: int, tables, started: float) -> dict:
    return {
        "cases": cases,
        "rows": row_counts(tables),
        "seconds": round(time.monotonic() - started, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "finished_at": timezone.now().isoformat(timespec="seconds"),
    }
