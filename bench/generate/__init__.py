"""Fill PostgreSQL with N realistic cases for the benchmark (bench/README.md), fast and in bounded memory.

Shape: a province-like tree of centers (county → town → village), staff with memberships,
then cases in chunks. Each chunk first draws one ``CasePlan`` per case (the facts every
table needs: id, centers, status, times, channel, mediator), then every entry of ``tables()``
turns the plans into rows of its table, which are streamed to PostgreSQL with COPY.
A table added later (sessions, agreements, visits, clocks) is one more generator function
and one more ``Table(...)`` line in ``extra_tables()``; columns a generator leaves out get the
model field's default (or NULL), so new nullable/defaulted columns need no change here.

Tables that hang on others' rows (session participants, signatures, ratings) read them from the
plan (``parties_ids``, ``sessions``, ``agreement_id``), set by the earlier tables of the chunk or,
with ``--only-extra``, loaded from the database; timeline events of the extra tables are queued with
``Chunk.event`` and written last. Every timeline row's type is a registered event type
(``cases.core.timeline.REGISTRY``; ``rows.timeline_rows`` refuses any other). ``--only-extra`` is
resumable and idempotent per table (its progress is in ``generate_data_progress``; see
``extras.generate_extra``).

Modules, by table group: ``copy`` (COPY plumbing, ``Table``), ``context`` (mixes, plans' and
chunks' classes), ``people``, ``org`` (the tree and staff), ``plans``, ``rows`` (cases and their
timelines), ``lifecycle``, ``participants``, ``feedback`` (per-table rows), ``tables`` (their
order), ``build`` (``generate``) and ``extras`` (``generate_extra``). The command is
``manage.py generate_data`` (cases/management/commands/generate_data.py).

Peak memory depends on the chunk size, not on N (see the report printed at the end).
"""

from bench.generate.build import generate
from bench.generate.context import BENCH_PASSWORD
from bench.generate.extras import generate_extra
from bench.generate.tables import extra_tables, row_counts

__all__ = ["BENCH_PASSWORD", "extra_tables", "generate", "generate_extra", "row_counts"]
