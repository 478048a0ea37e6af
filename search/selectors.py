"""Reads of the case search: the result page and the similar cases, over the cases the user may see.

Access comes first: every read starts from ``cases_visible_to(user)``, so a case the user may not open is never
counted, ranked or shown. A result page is three statements whatever its size (the capped count, the page with
its case's center, type, channel and index row, the parties), after the visibility rule's own reads.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import centers_below
from accounts.models import User
from cases.core.access import cases_visible_to
from cases.core.models import Case, Party
from search.backend import text_match
from search.highlight import contains_any, highlight, snippet
from search.indexer import query_keys
from search.models import CaseKey
from search.segment import query_groups

PAGE_SIZE = 20
COUNT_CAP = 1000  # "1000+ 件": counting further would cost more than the first page


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


def _party_row(party: Party, words: list[str]) -> dict:
    return {
        "role": party.get_role_display(),
        "name": party.name,
        "name_html": highlight(party.name, words),
        "phone": party.masked_phone,
        "id_number": party.masked_id_number,
    }


def search_cases(user: User, query: str, *, filters: dict | None = None, page: int = 1) -> SearchResults:
    """The cases ``user`` may see that ``query`` finds, best first: exact keys (case number, serial, tracking
    code, phone, ID number, credit code) before words, then by relevance, then newest."""
    filters = filters or {}
    groups = query_groups(query)
    words = [w for g in groups for w in g]  # every word that may have matched, for the marks
    keys = query_keys(query)
    results = SearchResults(query=query, words=[g[0] for g in groups], page=page)
    if not words and not keys:
        return results
    # A case number, tracking code, phone or ID number the user may see answers by itself: no word search
    # (the words of "(2026)某县矛调字第12号" would only add noise, and cost the full-text match).
    visible = _filtered(cases_visible_to(user), filters)
    # The key index alone first (one index lookup): most word queries are no key, and skip the rest.
    keyed = list(CaseKey.objects.filter(key__in=keys).values_list("case_id", flat=True)[: COUNT_CAP + 1])
    exact_ids: list[int] = []
    if keyed:
        if len(keyed) > COUNT_CAP:  # a bare serial (第12号 of every center and year): the database joins them
            keyed = CaseKey.objects.filter(key__in=keys).values("case_id")
        exact_ids = list(visible.filter(pk__in=keyed).values_list("pk", flat=True)[: COUNT_CAP + 1])
    found = Q(pk__in=exact_ids)
    match = text_match(groups) if groups and not exact_ids else None
    if match is not None:
        found |= Q(pk__in=match.ids)
    if exact_ids:  # already the visible, filtered cases: no second visibility check, no count
        base = Case.objects.filter(pk__in=exact_ids)
        results.total = len(exact_ids)
    else:
        base = visible.filter(found)
        results.total = base.order_by().values("pk")[: COUNT_CAP + 1].count()
    results.capped = results.total > COUNT_CAP
    results.total = min(results.total, COUNT_CAP)
    if not results.total:
        return results
    ranked = base.annotate(
        exact=Value(bool(exact_ids)),
        rank=Coalesce(match.rank, Value(0.0)) if match is not None else Value(0.0),
    ).order_by("-exact", "-rank", "-created_at", "-pk")
    offset = (page - 1) * PAGE_SIZE
    rows = list(
        ranked.select_related("dispute_type", "center", "channel", "search_index").prefetch_related(
            Prefetch("parties", queryset=Party.objects.order_by("role", "pk"))
        )[offset : offset + PAGE_SIZE + 1]
    )
    results.has_next = len(rows) > PAGE_SIZE
    for case in rows[:PAGE_SIZE]:
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
