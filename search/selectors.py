"""Reads of the case search: the result page and the similar cases, over the cases the user may see.

Access comes first: every read starts from the visibility rule (``cases_visible_to``, or the same rule split by
county, ``visibility_by_county``), so a case the user may not open is never counted, ranked or shown. A word
page is four statements whatever its size (the newest matches of the user's counties with their rank, those
that may lie elsewhere, the page with its case's center, type, channel and index row, the parties); a key page
two (the page, the parties; a third counts a full page), after the visibility rule's own read of the grants.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.access import centers_below
from accounts.models import User
from cases.core.access import cases_visible_to, visibility_by_county
from cases.core.models import Case, Party
from search.backend import text_match
from search.highlight import contains_any, highlight, snippet
from search.indexer import query_keys
from search.models import CaseKey
from search.segment import query_groups

PAGE_SIZE = 20
COUNT_CAP = 1000  # "1000+ 件": counting further would cost more than the first page
_KEY_CHAR = re.compile(r"[0-9a-z]")


@dataclass
class SearchHit:
    case: Case
    exact: bool
    summary: str  # highlighted, escaped
    snippet: str  # highlighted excerpt of claims, records or terms when the summary has no matching word
    parties: list[dict]


@dataclass
class SearchResults:
    query: str
    words: list[str]
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    capped: bool = False
    page: int = 1
    has_next: bool = False

    @property
    def page_size(self) -> int:
        return PAGE_SIZE


def _filtered(qs: QuerySet[Case], filters: dict) -> QuerySet[Case]:
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("channel"):
        qs = qs.filter(channel=filters["channel"])
    if filters.get("dispute_type"):
        qs = qs.filter(dispute_type=filters["dispute_type"])
    if filters.get("center"):
        # The subtree as a list of ids first (a path LIKE across the join reads every case, accounts.access).
        qs = qs.filter(center__in=list(centers_below([filters["center"]]).values_list("pk", flat=True)))
    zone = timezone.get_current_timezone()
    if filters.get("since"):
        qs = qs.filter(created_at__gte=datetime.combine(filters["since"], time.min, tzinfo=zone))
    if filters.get("until"):
        qs = qs.filter(
            created_at__lt=datetime.combine(filters["until"] + timedelta(days=1), time.min, tzinfo=zone)
        )
    return qs


_ROLE_LABELS = dict(Party.Role.choices)


def _party_row(party: Party, words: list[str]) -> dict:
    return {
        "role": str(_ROLE_LABELS.get(party.role, party.role)),
        "name": party.name,
        "name_html": highlight(party.name, words),
        "phone": party.masked_phone,
        "id_number": party.masked_id_number,
    }


def _may_be_key(key: str) -> bool:
    """Every key of a case (number, serial, tracking code, phone, ID number, credit code) holds a digit or a
    Latin letter: a query of Chinese words alone is no key, and skips the key look-up."""
    return bool(_KEY_CHAR.search(key))


def _with_page_parts(qs: QuerySet[Case]) -> QuerySet[Case]:
    """What a result shows: its center, type, channel, index row (one statement) and parties (a second)."""
    return qs.select_related("dispute_type", "center", "channel", "search_index").prefetch_related(
        Prefetch("parties", queryset=Party.objects.order_by("role", "pk"))
    )


def _page_rows(ids: list[int]) -> list[Case]:
    """The cases of one result page, in the order of ``ids``: two statements."""
    if not ids:
        return []
    by_pk = {case.pk: case for case in _with_page_parts(Case.objects.filter(pk__in=ids))}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _word_candidates(user: User, match, filters: dict) -> list[tuple[int, object, float]]:
    """The newest ``COUNT_CAP + 1`` cases the user may see that ``match`` finds, as (id, created_at, rank).

    The user's counties are read through the index rows' scope (``search_index_county_newest``, alone or with
    the GIN index): the statement reads the newest matches of those counties and stops at the cap, or the
    county's matches when they are fewer, never the matches of the whole province (the earlier form read
    every matching row of the table, then dropped those of other counties). The visible cases that may lie
    elsewhere (registered by, assigned to or granted to the user) are a second, small statement."""
    counties, visible, anywhere = visibility_by_county(user)
    limit = COUNT_CAP + 1
    rows: dict[int, tuple] = {}
    parts = [_filtered(anywhere, filters).filter(search_index__isnull=False)]
    if counties:
        parts.insert(0, _filtered(visible, filters).filter(search_index__county_id__in=counties))
    for qs in parts:
        picked = (
            qs.filter(match.where)
            .annotate(rank=match.joined_rank)
            .order_by("-search_index__created_at", "-pk")
            .values_list("pk", "created_at", "rank")[:limit]
        )
        for pk, created, rank in picked:
            rows[pk] = (pk, created, rank)
    return sorted(rows.values(), key=lambda row: (row[1], row[0]), reverse=True)[:limit]


def search_cases(user: User, query: str, *, filters: dict | None = None, page: int = 1) -> SearchResults:
    """The cases ``user`` may see that ``query`` finds, best first: exact keys (case number, serial, tracking
    code, phone, ID number, credit code) before words, then by relevance, then newest.

    Words rank the newest ``COUNT_CAP`` (1,000) matching cases the user may see: all of them whenever no
    more than 1,000 match (the count then is exact); past that the count reads "1000+" and the ranking is
    over the newest 1,000 — so the work is bounded by the cap, not by the county or the province."""
    filters = filters or {}
    groups = query_groups(query)
    words = [w for g in groups for w in g]  # every word that may have matched, for the marks
    keys = {k for k in query_keys(query) if _may_be_key(k)}
    results = SearchResults(query=query, words=[g[0] for g in groups], page=page)
    if not words and not keys:
        return results
    offset = (page - 1) * PAGE_SIZE
    exact = False
    rows: list[Case] = []
    if keys:
        # A case number, tracking code, phone or ID number the user may see answers by itself: no word search
        # (the words of "(2026)某县矛调字第12号" would only add noise, and cost the full-text match). The page
        # is one statement (the key index, then the visibility rule on those few cases); only a page that is
        # full or past the first (a bare serial of many centers) counts them in a second one.
        keyed = _filtered(cases_visible_to(user), filters).filter(
            pk__in=CaseKey.objects.filter(key__in=keys).values("case_id")
        )
        rows = list(_with_page_parts(keyed.order_by("-created_at", "-pk"))[offset : offset + PAGE_SIZE + 1])
        if rows and offset == 0 and len(rows) <= PAGE_SIZE:
            exact, results.total = True, len(rows)
        elif rows or offset:
            results.total = keyed.order_by().values("pk")[: COUNT_CAP + 1].count()
            exact = results.total > 0
    if not exact:
        if not groups:
            return results
        candidates = _word_candidates(user, text_match(groups), filters)
        results.total = len(candidates)
        ranked = sorted(candidates[:COUNT_CAP], key=lambda row: (row[2], row[1], row[0]), reverse=True)
        page_ids = [pk for pk, _created, _rank in ranked[offset : offset + PAGE_SIZE + 1]]
        rows = _page_rows(page_ids[:PAGE_SIZE]) + page_ids[PAGE_SIZE:]  # the extra id only says "next"
    results.capped = results.total > COUNT_CAP
    results.total = min(results.total, COUNT_CAP)
    results.has_next = len(rows) > PAGE_SIZE
    for case in rows[:PAGE_SIZE]:
        case.exact = exact
        index = getattr(case, "search_index", None)
        excerpt = index.excerpt if index is not None else ""
        results.hits.append(
            SearchHit(
                case=case,
                exact=case.exact,
                summary=highlight(case.summary, words),
                snippet=snippet(excerpt, words) if not contains_any(case.summary, words) else "",
                parties=[_party_row(p, words) for p in case.parties.all()],
            )
        )
    return results
