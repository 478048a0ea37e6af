"""Similar cases (类案推送) for the case page: the five most similar ended cases the user may see, each with
why it is similar, how it ended, how long it took, the agreement's key terms or why it failed, and the mediator;
and the other cases of the same respondent, flagged on their own (a contractor with ten open wage disputes is
a risk). A fixed number of statements whatever the corpus: the case's index row, the candidates (one ranked
full-text statement), the lifecycle texts and mediators of the five, and the respondent's other cases.
"""

from dataclasses import dataclass, field

from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import User
from cases.core.access import visibility_by_county
from cases.core.models import Case, Party
from cases.core.states import ENDED_STATUSES, FINISHED_STATUSES, Outcome
from cases.lifecycle.models import AgreementTerm, OralAgreement, TerminationNotice
from routing.models import CaseAssignment
from search.backend import text_match
from search.models import CaseIndex
from search.segment import concepts, index_tokens, normalize, tokenizer, vocabulary

TERMS = frozenset(vocabulary())
SHOWN = 5
CANDIDATES = 50
RECENT = 500  # the newest cases of a county read per similar-case section (the bound of its work)
SALIENT_WORDS = 8
SAME_RESPONDENT_SHOWN = 10
# Words of any summary that say nothing about what the dispute is.
STOPWORDS = frozenset(
    "发生 纠纷 问题 因为 双方 一方 要求 反映 当事人 申请人 被申请人 多次 已经 目前 情况 进行 相关 表示 认为 "
    "没有 可以 需要 一次性 工人 公司 有限公司 项目 多名 名 由于 其中 以及 还是 问题 事情 处理 协商 未果 达成 一致 涉及 金额 约 元 万元 千元 个月 "
    "产生 矛盾 争执 请求 依法 调解 维护 合法权益 合法 权益".split()
)
# Dispute types close enough that one's settlements teach about the other.
RELATED_TYPES = {
    "labour": {"contract", "business"},
    "contract": {"labour", "business", "consumer"},
    "business": {"contract", "labour"},
    "housing": {"neighbour", "forest_land", "land_contracting", "requisition"},
    "neighbour": {"housing", "damages", "property"},
    "forest_land": {"housing", "land_contracting"},
    "land_contracting": {"forest_land", "housing", "requisition"},
    "requisition": {"housing", "land_contracting"},
    "damages": {"traffic", "medical", "neighbour"},
    "traffic": {"damages"},
    "medical": {"damages"},
    "property": {"neighbour", "consumer"},
    "consumer": {"contract", "property"},
}


@dataclass
class SimilarCase:
    case: Case
    reasons: list[str]
    outcome: str
    days: int | None
    terms: str  # the agreement's key terms, when it was settled
    failure: str  # why it failed, when it was not
    mediator: str
    same_respondent: bool
    score: float = 0.0


@dataclass
class SimilarSection:
    items: list[SimilarCase] = field(default_factory=list)
    respondents: list[str] = field(default_factory=list)
    respondent_cases: list[Case] = field(default_factory=list)  # the respondent's other cases, newest first
    respondent_open: int = 0  # how many of those are still being handled (not ended)


def salient_words(*texts: str, names: list[str] = (), limit: int = SALIENT_WORDS) -> list[str]:
    """The words that say what the dispute is about: the center's terms first, then the longer words; two
    characters or more, no numbers, no stock phrases, nothing of the parties' names."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in tokenizer().cut(normalize(text)):
            word = word.strip()
            if len(word) >= 2 and word.isalnum() and not word.isdigit() and word not in STOPWORDS:
                seen.setdefault(word, None)
    names = [normalize(n) for n in names if n]
    words = [w for w in seen if not any(w in n for n in names)]
    terms = set(vocabulary())
    found = concepts(index_tokens(" ".join(texts))) + words
    ranked = sorted(dict.fromkeys(found), key=lambda w: (w not in terms, -len(w)))
    return ranked[:limit]


def _near(a, b, ratio: float) -> bool:
    if not a or not b:
        return False
    low, high = sorted((float(a), float(b)))
    return high <= low * ratio


def _closeness(a, b) -> float:
    """1 for equal values, less the further apart (both positive)."""
    low, high = sorted((float(a), float(b)))
    return low / high if high else 0.0


def _respondent_names(parties: list[Party]) -> list[str]:
    return [normalize(p.name).strip() for p in parties if p.role == Party.Role.RESPONDENT and p.name.strip()]


def _score(
    case: Case, candidate: Case, words: list[str], respondents: set[str], top_rank: float
) -> SimilarCase:
    reasons: list[str] = []
    score = 3.0 * (candidate.rank / top_rank) if top_rank > 0 else 0.0
    if candidate.dispute_type_id == case.dispute_type_id:
        score += 2
        reasons.append(_("同为%(type)s") % {"type": case.dispute_type.name})
    elif candidate.dispute_type.code in RELATED_TYPES.get(case.dispute_type.code, ()):
        score += 1
        reasons.append(_("纠纷类型相近（%(type)s）") % {"type": candidate.dispute_type.name})
    index = getattr(candidate, "search_index", None)
    their_words = set(index.head.split()) | set(index.body.split()) if index is not None else set()
    shared = [w for w in words if w in their_words]
    if shared:
        score += min(len(shared), 3) * 0.5
        terms = [w for w in shared if w in TERMS]
        if terms:
            reasons.append(_("同为%(term)s") % {"term": terms[0]})
        others = [w for w in shared if not (terms and w in terms[0])]
        if others:
            reasons.append(_("都涉及“%(words)s”") % {"words": "、".join(others[:3])})
    if case.people_count > 1 and _near(case.people_count, candidate.people_count, 1.5):
        score += _closeness(case.people_count, candidate.people_count)
        reasons.append(_("涉及人数相近"))
    if _near(case.amount, candidate.amount, 2.0):
        score += _closeness(case.amount, candidate.amount)
        reasons.append(_("金额相近"))
    if candidate.outcome in Outcome.resolved():
        score += 0.5  # a settlement shows how such a dispute can end; a failure only what to avoid
    theirs = {normalize(n).strip() for n in (index.respondents.split("、") if index is not None else []) if n}
    same = bool(respondents & theirs)
    if same:
        score += 2
        reasons.append(_("同一被申请人"))
    return SimilarCase(
        case=candidate,
        reasons=reasons,
        outcome=Outcome(candidate.outcome).label if candidate.outcome in Outcome.values else "",
        days=_days(candidate),
        terms="",
        failure="",
        mediator="",
        same_respondent=same,
        score=score,
    )


def _days(case: Case) -> int | None:
    start = case.accepted_at or case.created_at
    end = case.concluded_at or case.closed_at
    return max(0, (end - start).days) if start and end else None


def _fill_records(items: list[SimilarCase]) -> None:
    """The key terms, the reason it failed and the mediator of each shown case: four statements."""
    ids = [item.case.pk for item in items]
    terms: dict[int, list[str]] = {}
    for case_id, content in AgreementTerm.objects.filter(
        agreement__case_id__in=ids, agreement__voided=False
    ).values_list("agreement__case_id", "content"):
        terms.setdefault(case_id, []).append(content)
    for case_id, content in OralAgreement.objects.filter(case_id__in=ids).values_list("case_id", "content"):
        terms.setdefault(case_id, []).append(content)
    reasons = dict(TerminationNotice.objects.filter(case_id__in=ids).values_list("case_id", "reason"))
    mediators: dict[int, str] = {}
    for assignment in (
        CaseAssignment.objects.filter(case_id__in=ids)
        .select_related("mediator")
        .order_by("-is_lead", "assigned_at")
    ):
        mediators.setdefault(assignment.case_id, str(assignment.mediator))
    for item in items:
        case = item.case
        item.terms = "；".join(terms.get(case.pk, [])[:2])
        if case.outcome not in Outcome.resolved():
            item.failure = reasons.get(case.pk) or case.outcome_reason or case.closing_summary
        item.mediator = mediators.get(case.pk, "")


def _candidates(case: Case, match, counties: list[int], visible, anywhere) -> list[Case]:
    """The ``CANDIDATES`` ended cases the user may see that are most like ``case`` by their words: the rank of
    the salient words (0 without any), then the newest conclusion — among the ended cases of the same or a
    related dispute type or with one of the words, within the newest ``RECENT`` cases of the user's counties
    (``search_index_county_newest``: the statement reads ``RECENT`` index entries however many cases a county
    holds) and the newest ``RECENT`` of the visible cases that may lie elsewhere (registered by, assigned to
    or granted to the user; a second, small statement). Where a county holds no more than ``RECENT`` cases,
    the candidates are those of ranking every visible ended case, as before the bound."""
    related = {case.dispute_type.code, *RELATED_TYPES.get(case.dispute_type.code, ())}
    found = Q(dispute_type__code__in=related)
    if match is not None:
        found |= Q(match.where)
    parts = [anywhere]
    if counties:
        # The newest RECENT cases of the user's counties, from the index alone (an index-only read of
        # RECENT entries, whatever the county's size), and of those the ones the user may see.
        newest = CaseIndex.objects.filter(county_id__in=counties).order_by("-created_at", "-case_id")
        parts.insert(0, visible.filter(pk__in=newest.values("case_id")[:RECENT]))
    picked: dict[int, Case] = {}
    for qs in parts:
        rows = (
            qs.filter(search_index__isnull=False)
            .exclude(pk=case.pk)
            .filter(status__in=ENDED_STATUSES)
            .filter(found)
            .annotate(rank=Coalesce(match.joined_rank, Value(0.0)) if match is not None else Value(0.0))
            .select_related("dispute_type", "center", "search_index")
            .order_by("-search_index__created_at", "-pk")[:RECENT]
        )
        for candidate in rows:
            picked.setdefault(candidate.pk, candidate)
    newest = sorted(picked.values(), key=lambda c: (c.created_at, c.pk), reverse=True)[:RECENT]
    return sorted(newest, key=_by_rank, reverse=True)[:CANDIDATES]


def _by_rank(candidate: Case) -> tuple:
    """Rank, then the newest conclusion (none last), then the newest id: the order the candidates are cut at."""
    concluded = candidate.concluded_at
    return (candidate.rank, concluded is not None, concluded or candidate.created_at, candidate.pk)


def similar_cases(user: User, case: Case) -> SimilarSection:
    """The five most similar ended cases ``user`` may see, and the respondent's other cases."""
    section = SimilarSection()
    parties = list(case.parties.all())
    respondents = _respondent_names(parties)
    section.respondents = [p.name for p in parties if p.role == Party.Role.RESPONDENT]
    credit_codes = [p.credit_code for p in parties if p.role == Party.Role.RESPONDENT and p.credit_code]
    counties, visible_all, anywhere = visibility_by_county(user)  # the grants read once for both parts
    visible = visible_all.exclude(pk=case.pk)
    if respondents or credit_codes:
        same = Party.objects.filter(role=Party.Role.RESPONDENT).filter(
            Q(name__in=[p.name for p in parties if p.role == Party.Role.RESPONDENT])
            | Q(credit_code__in=credit_codes)
        )
        theirs = visible.filter(pk__in=same.values("case_id")).select_related("dispute_type")
        section.respondent_cases = list(theirs.order_by("-created_at", "-pk")[:SAME_RESPONDENT_SHOWN])
        section.respondent_open = theirs.exclude(status__in=FINISHED_STATUSES).count()
    words = salient_words(case.summary, names=[p.name for p in parties])
    match = text_match([[w] for w in words], any_word=True) if words else None
    candidates = _candidates(case, match, counties, visible_all, anywhere)
    if not candidates:
        return section
    top_rank = max(c.rank for c in candidates)
    scored = [_score(case, c, words, set(respondents), top_rank) for c in candidates]
    scored.sort(key=lambda item: (-item.score, -(item.case.concluded_at or item.case.created_at).timestamp()))
    section.items = scored[:SHOWN]
    _fill_records(section.items)
    return section
