"""The full-text match and rank of each backend: the one module of search that asks which backend it talks to
(as mediation_center/dialect.py is for the rest of the project).

PostgreSQL: ``search_caseindex.document`` (tsvector, GIN) against a tsquery of quoted words, ranked by
``ts_rank``. SQLite: the FTS5 table ``search_casefts`` with a MATCH of quoted words, ranked by ``bm25`` with
the head column weighted four times the body. Both give a sub-select of matching case ids and a correlated
rank of the outer case row (higher is better), used as ``RawSQL`` by the selectors.
"""

from dataclasses import dataclass

from django.db import connections, router
from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

from search.models import CaseIndex

HEAD_WEIGHT = 4.0


@dataclass(frozen=True)
class TextMatch:
    ids: RawSQL  # for ``pk__in=``
    rank: RawSQL  # for ``annotate(rank=...)`` on a Case queryset
    # On a Case queryset joined to its index row (a filter on ``search_index__…``): the match as a condition
    # of that row, and its rank read from the same row. On PostgreSQL both read the joined row's
    # ``document``, so a walk of ``search_index_county_newest`` (or a BitmapAnd of it with the GIN index)
    # checks and ranks each candidate once, with no second look-up.
    where: RawSQL = None
    joined_rank: RawSQL = None


def _vendor() -> str:
    return connections[router.db_for_read(CaseIndex)].vendor


def _pg(word: str) -> str:
    return "'" + word.replace("'", "''") + "'"


def _fts(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _group(group: list[str], quote, and_: str, or_: str) -> str:
    """A word or, when it has parts, (word OR (part AND part …))."""
    if len(group) == 1:
        return quote(group[0])
    return f"({quote(group[0])}{or_}({and_.join(quote(p) for p in group[1:])}))"


def text_match(groups: list[list[str]], *, any_word: bool = False) -> TextMatch:
    """Cases whose index holds every group (or, with ``any_word``, any of them); a group is a word and its
    parts (segment.query_groups), a one-word group a single word."""
    if _vendor() == "postgresql":
        query = (" | " if any_word else " & ").join(_group(g, _pg, " & ", " | ") for g in groups)
        tsquery = "to_tsquery('simple'::regconfig, %s)"
        return TextMatch(
            ids=RawSQL(f"SELECT case_id FROM search_caseindex WHERE document @@ {tsquery}", [query]),
            rank=RawSQL(
                f"SELECT ts_rank(document, {tsquery}) FROM search_caseindex "
                'WHERE search_caseindex.case_id = "cases_case"."id"',
                [query],
                output_field=FloatField(),
            ),
            where=RawSQL(f'"search_caseindex"."document" @@ {tsquery}', [query], output_field=BooleanField()),
            joined_rank=RawSQL(
                f'ts_rank("search_caseindex"."document", {tsquery})', [query], output_field=FloatField()
            ),
        )
    query = (" OR " if any_word else " AND ").join(_group(g, _fts, " AND ", " OR ") for g in groups)
    rank = RawSQL(
        f"SELECT -bm25(search_casefts, {HEAD_WEIGHT}, 1.0) FROM search_casefts "
        'WHERE search_casefts MATCH %s AND search_casefts.rowid = "cases_case"."id"',
        [query],
        output_field=FloatField(),
    )
    return TextMatch(
        ids=RawSQL("SELECT rowid FROM search_casefts WHERE search_casefts MATCH %s", [query]),
        rank=rank,
        where=RawSQL(
            '"search_caseindex"."case_id" IN (SELECT rowid FROM search_casefts WHERE search_casefts MATCH %s)',
            [query],
            output_field=BooleanField(),
        ),
        joined_rank=rank,
    )
