"""``generate``: add N cases (and the tree and staff the first time), chunk by chunk."""

import random
import time
from collections.abc import Callable

from django.core.management.base import CommandError
from django.db import connection, transaction

from accounts.models import Center, User
from bench.generate.context import CHUNK, LONG_TIMELINE_SHARE, PROVINCE_CODE, Chunk
from bench.generate.copy import reserve_ids
from bench.generate.extras import read_progress, save_progress
from bench.generate.org import build_staff, build_tree, ensure_departments, load_context
from bench.generate.plans import plan_cases
from bench.generate.tables import peak_rss_mb, run_summary, save_sequences, tables, vacuum
from cases.core.models import Case
from routing.models import Channel


def generate(
    n: int,
    *,
    counties: int = 90,
    towns: int = 13,
    villages: int = 16,
    chunk_size: int = CHUNK,
    seed: int = 2026,
    years: int = 4,
    long_timeline_share: float = LONG_TIMELINE_SHARE,
    log: Callable[[str], None] = print,
) -> dict:
    """Add ``n`` cases (and the tree and staff if the database has no generated tree yet); returns a report."""
    if connection.vendor != "postgresql":
        raise CommandError("generate_data needs PostgreSQL (it streams rows with COPY)")
    started = time.monotonic()
    rng = random.Random(seed)
    if not Center.objects.filter(area_code__startswith=PROVINCE_CODE, level=Center.Level.COUNTY).exists():
        with transaction.atomic():
            centers = build_tree(counties, towns, villages, rng)
            build_staff(centers, list(Channel.objects.all()), rng)
        log(f"centers: {len(centers)}, users: {User.objects.count()}")
    ensure_departments(rng)
    from bench.generate.mediators import generate_profiles  # the mediator library's profiles (idempotent)

    log(f"mediator profiles added: {generate_profiles(seed)}")
    # A different stream of random numbers for each run, so a second run adds different cases.
    ctx = load_context(seed + Case.objects.count(), years)
    ctx.long_timeline_share = long_timeline_share
    if not ctx.by_level[Center.Level.VILLAGE]:
        ctx.by_level[Center.Level.VILLAGE] = (
            ctx.by_level[Center.Level.TOWN] or ctx.by_level[Center.Level.COUNTY]
        )
    if not ctx.by_level[Center.Level.TOWN]:
        ctx.by_level[Center.Level.TOWN] = ctx.by_level[Center.Level.COUNTY]
    all_tables = tables()
    for table in all_tables:
        table.count = 0
    done = 0
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
        # Tables complete for every case there now stay complete (their progress follows the new cases);
        # the others are filled by --only-extra later, which then also skips the cases written here.
        progress = read_progress(cursor)
        cursor.execute("SELECT coalesce(max(id), 0) FROM cases_case")
        before = cursor.fetchone()[0]
        complete = [t.name for t in all_tables if t.has_rows and progress.get(t.name, 0) >= before]
        while done < n:
            size = min(chunk_size, n - done)
            with transaction.atomic():
                chunk = Chunk(ctx, plan_cases(ctx, reserve_ids(cursor, Case, size)), cursor)
                for table in all_tables:
                    table.copy(cursor, chunk)
                save_sequences(cursor, ctx)
                save_progress(cursor, complete, chunk.plans[-1].id)
            done += size
            if done % (chunk_size * 10) == 0 or done == n:
                elapsed = time.monotonic() - started
                log(
                    f"{done:>9,} cases {elapsed:7.1f} s {done / elapsed:6.0f} cases/s, peak RSS {peak_rss_mb():.0f} MB"
                )
        vacuum(cursor, [t.name for t in all_tables] + ["accounts_center"])
    return run_summary(n, all_tables, started)
