"""``manage.py generate_data``: the benchmark's data generator, which lives in bench/generate/ (PostgreSQL, COPY)."""

import json

from django.core.management.base import BaseCommand

from bench.generate import BENCH_PASSWORD, extra_tables, generate, generate_extra, row_counts
from bench.generate.context import CHUNK

__all__ = ["BENCH_PASSWORD", "Command", "extra_tables", "generate", "generate_extra", "row_counts"]


class Command(BaseCommand):
    help = "Fill the database with N generated cases (PostgreSQL, COPY) for the benchmark."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--counties", type=int, default=90)
        parser.add_argument("--towns", type=int, default=13, help="towns per county")
        parser.add_argument("--villages", type=int, default=16, help="villages per town")
        parser.add_argument("--chunk", type=int, default=CHUNK, help="cases per transaction")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--only-extra",
            action="store_true",
            help="no new cases: fill the tables of extra_tables() (sessions and participants, agreements and "
            "signatures, visits, evaluations, ratings, summonses, supervision...) for the cases there; "
            "resumable and idempotent per table",
        )

    def handle(self, *args, **options):
        if options["only_extra"]:
            report = generate_extra(chunk_size=options["chunk"], seed=options["seed"], log=self.log)
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            self._recount()
            return
        report = generate(
            options["cases"],
            counties=options["counties"],
            towns=options["towns"],
            villages=options["villages"],
            chunk_size=options["chunk"],
            seed=options["seed"],
            log=self.log,
        )
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        self._recount()

    def _recount(self) -> None:
        """The COPYed rows went through the rollups' trigger as deltas: count them once instead of folding."""
        from django.db import connection

        from bench.generate.tables import vacuum
        from cases.rollups.services import recount_rollups

        self.log(f"rollups recounted: {recount_rollups()}")
        from mediators.tracks import recount_tracks  # the recommendation's summaries, as the COPY left them

        self.log(f"mediator summaries recounted: {recount_tracks()}")
        with connection.cursor() as cursor:
            if not connection.in_atomic_block:  # the deleted deltas' pages, which an idle fold would scan
                cursor.execute("VACUUM FULL cases_rollupdelta")
                cursor.execute("VACUUM FULL cases_measuredelta")
            vacuum(
                cursor,
                [
                    "cases_rollupdelta",
                    "cases_measuredelta",
                    "cases_casecount",
                    "cases_caseday",
                    "cases_measureday",
                    "mediators_trackmark",
                ],
            )

    def log(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()  # progress shows up in a log file while it runs
