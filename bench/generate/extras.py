"""``--only-extra``: fill the extra tables for cases already there, resumable and idempotent per table."""

import io
import random
import time
from collections.abc import Callable

from django.core.management.base import CommandError
from django.db import connection, transaction

from bench.generate.context import CHUNK, CLOSING_SUMMARY, WORKED, CasePlan, Chunk, Context, Staff
from bench.generate.copy import encode
from bench.generate.org import ensure_departments, load_context
from bench.generate.plans import pick_outcome
from bench.generate.tables import extra_tables, peak_rss_mb, run_summary, vacuum
from cases.core.models import DisputeType, Status
from cases.lifecycle.models import Outcome

EXTRA_COLUMNS = (
    "id, origin_center_id, center_id, status, source, dispute_type_id, created_at, warning_level, channel_id, "
    "registered_by_id, closed_at, concluded_at, routed_at, outcome, due_at"
)


def load_plans(
    ctx: Context, rows: list[tuple], mediators: dict[int, int], types: dict[int, DisputeType]
) -> list[CasePlan]:
    """Plans for cases already in the database; outcomes are drawn for ended cases that have none of
    lifecycle's (the first generator wrote 'resolved'/'terminated')."""
    rng = ctx.rng
    outcomes = set(Outcome.values)
    plans = []
    for (cid, origin, center, status, source, dtype, created, level, channel, clerk, closed, concluded,
         routed, outcome, due) in rows:  # fmt: skip
        mediator = mediators.get(cid)
        if mediator is None and status in WORKED:
            staff = ctx.staff.get(center) or ctx.staff.get(ctx.centers[center].parent_id) or Staff()
            pool = staff.mediators.get(channel) or staff.mediators.get(0) or []
            mediator = rng.choice(pool) if pool else None
        plans.append(
            CasePlan(
                id=cid,
                origin=ctx.centers[origin],
                center=ctx.centers[center],
                status=status,
                source=source,
                dispute_type=types[dtype],
                created_at=created,
                warning_level=level,
                channel_id=channel,
                mediator_id=mediator,
                clerk_id=clerk,
                closed_at=closed,
                concluded_at=concluded,
                routed_at=routed,
                n_extra_events=0,
                outcome=outcome if outcome in outcomes else pick_outcome(rng, status),
                due_at=due,
            )
        )
    return plans


PROGRESS_TABLE = "generate_data_progress"


def read_progress(cursor) -> dict[str, int]:
    """Per table, the case id up to which ``generate_data`` has filled it (its own bookkeeping table: no
    model, so it needs no migration; ``bench`` databases only)."""
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {PROGRESS_TABLE} (table_name text PRIMARY KEY, through_case bigint NOT NULL)"
    )
    cursor.execute(f"SELECT table_name, through_case FROM {PROGRESS_TABLE}")
    return dict(cursor.fetchall())


def save_progress(cursor, names: list[str], through_case: int) -> None:
    if names:
        cursor.execute(
            f"INSERT INTO {PROGRESS_TABLE} SELECT unnest(%s::text[]), %s ON CONFLICT (table_name) "
            f"DO UPDATE SET through_case = GREATEST({PROGRESS_TABLE}.through_case, EXCLUDED.through_case)",
            [names, through_case],
        )


def load_existing(cursor, plans: list[CasePlan]) -> None:
    """What the child tables of a chunk need from rows already there: parties, sessions, agreements."""
    by_id = {p.id: p for p in plans}
    ids = list(by_id)
    cursor.execute(
        "SELECT case_id, id, name, phone FROM cases_party WHERE case_id = ANY(%s) "
        "ORDER BY case_id, role <> 'applicant', id",
        [ids],
    )
    for case_id, party_id, name, phone in cursor.fetchall():
        by_id[case_id].parties_ids.append((party_id, name, phone))
    cursor.execute(
        "SELECT case_id, id, started_at FROM cases_mediationsession WHERE case_id = ANY(%s) "
        "ORDER BY case_id, started_at, id",
        [ids],
    )
    for case_id, session_id, started_at in cursor.fetchall():
        by_id[case_id].sessions.append((session_id, started_at))
    cursor.execute(
        "SELECT case_id, id, coalesce(sealed_at, mediator_signed_at) FROM cases_agreement "
        "WHERE case_id = ANY(%s) AND NOT voided AND effective_on IS NOT NULL ORDER BY case_id, id",
        [ids],
    )
    for case_id, agreement_id, signed_at in cursor.fetchall():
        by_id[case_id].agreement_id, by_id[case_id].agreement_signed_at = agreement_id, signed_at


def generate_extra(*, chunk_size: int = CHUNK, seed: int = 2026, log: Callable[[str], None] = print) -> dict:
    """Fill the tables of ``extra_tables()`` for the cases already in the database, streaming over case ids
    in chunks (COPY, one transaction per chunk), and give ended cases an outcome of lifecycle's.

    Resumable and idempotent per table: a table is filled only for the cases after its recorded progress
    (``generate_data_progress``, saved with each chunk) and, among those, only for the cases that have
    no row in it yet; rows of tables already there (sessions, agreements) are read back for the tables
    that hang on them (participants, signatures). A second run finds nothing to do."""
    if connection.vendor != "postgresql":
        raise CommandError("generate_data needs PostgreSQL (it streams rows with COPY)")
    started = time.monotonic()
    ensure_departments(random.Random(seed))
    ctx = load_context(seed, 4)
    extra = extra_tables()
    tracked = [t for t in extra if t.has_rows]
    types = {t.id: t for t in DisputeType.objects.all()}
    with connection.cursor() as cursor:
        progress = read_progress(cursor)
        last = min(progress.get(t.name, 0) for t in tracked)
        # Only the cases there now: cases registered meanwhile get their rows from the real services.
        cursor.execute("SELECT count(*), max(id) FROM cases_case WHERE id > %s", [last])
        total, end = cursor.fetchone()
        log(f"extra tables for {total:,} cases after case id {last}")
        cursor.execute("SET synchronous_commit TO off")
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS gen_outcome (id bigint, outcome varchar(24), summary text)"
        )
        done = 0
        while True:
            with transaction.atomic():
                cursor.execute(
                    f"SELECT {EXTRA_COLUMNS} FROM cases_case WHERE id > %s AND id <= %s ORDER BY id LIMIT %s",
                    [last, end or 0, chunk_size],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                ids = [r[0] for r in rows]
                last = ids[-1]
                cursor.execute(
                    "SELECT case_id, (data->>'to')::bigint FROM cases_timelineevent "
                    "WHERE case_id = ANY(%s) AND type = 'assigned' AND data->>'to' IS NOT NULL",
                    [ids],
                )
                mediators = dict(cursor.fetchall())
                chunk = Chunk(ctx, load_plans(ctx, rows, mediators, types), cursor)
                changed = {r[0]: r[13] for r in rows}
                buffer = io.StringIO()
                for p in chunk.plans:
                    if p.outcome != changed[p.id]:
                        summary = CLOSING_SUMMARY.get(p.outcome, "") if p.status == Status.CLOSED else ""
                        buffer.write(f"{p.id}\t{p.outcome}\t{encode(summary)}\n")
                if buffer.tell():
                    buffer.seek(0)
                    cursor.execute("TRUNCATE gen_outcome")
                    cursor.copy_expert("COPY gen_outcome FROM STDIN", buffer)
                    cursor.execute(
                        "UPDATE cases_case c SET outcome = g.outcome, closing_summary = g.summary "
                        "FROM gen_outcome g WHERE c.id = g.id"
                    )
                load_existing(cursor, chunk.plans)
                for table in extra:
                    if table.has_rows is None:
                        table.copy(cursor, chunk)
                        continue
                    through = progress.get(table.name, 0)
                    todo = [p for p in chunk.plans if p.id > through]
                    if not todo:
                        continue
                    cursor.execute(table.has_rows, [[p.id for p in todo]])
                    there = {r[0] for r in cursor.fetchall()}
                    table.copy(cursor, chunk.view([p for p in todo if p.id not in there]))
                save_progress(cursor, [t.name for t in tracked], last)
            done += len(rows)
            if done % (chunk_size * 10) == 0:
                elapsed = time.monotonic() - started
                log(
                    f"{done:>9,} cases {elapsed:7.1f} s {done / elapsed:6.0f} cases/s, peak RSS {peak_rss_mb():.0f} MB"
                )
        if done:
            vacuum(cursor, ["cases_case", *[t.name for t in extra if t.count]])
    return run_summary(done, extra, started)
