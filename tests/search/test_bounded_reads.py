"""The bounded reads of search (issue 20 item 5) against the implementation they replaced, on generated data.

``_reference_search`` and ``_reference_similar`` are the earlier algorithms, kept here verbatim in substance:
the word match over every visible matching case of the table, ranked as a whole; the similar cases ranked over
every visible ended case of a related type or with a salient word. Where the data fits inside the bounds
(at most 1,000 matches; at most ``RECENT`` cases in a county) the new reads must give the same pages, counts and
similar cases; past the bound, the word search ranks the newest 1,000 matches, which the last test checks.
"""

import random
from decimal import Decimal

import pytest
from django.db.models import Q, Value
from django.db.models.functions import Coalesce

from bench.generate.context import SUMMARIES
from cases.core.access import cases_visible_to
from cases.core.models import Case, DisputeType, Party
from cases.core.states import ENDED_STATUSES
from cases.intake.services import PartyData
from cases.lifecycle import services
from routing.services import grant_case_access
from search import selectors, similar
from search.backend import text_match
from search.indexer import query_keys
from search.models import CaseKey
from search.segment import query_groups
from search.selectors import COUNT_CAP, PAGE_SIZE, search_cases
from search.similar import RELATED_TYPES, _score, salient_words, similar_cases
from tests.cases.lifecycle_helpers import make_effective, route, session

pytestmark = pytest.mark.usefixtures("swept_at_once")  # conftest: what the index holds, not when

NAMES = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄敏"]
COMPANIES = ["宏达建筑劳务有限公司", "恒信物业服务有限公司", "顺通运输有限公司", "金源食品有限公司"]
QUERIES = [
    "拖欠 工资",
    "抚养费",
    "物业费",
    "交通事故 赔偿",
    "邻居",
    "工资",
    "纠纷",
    "宅基地 边界",
    "张伟",
    "公司",
]


def _reference_search(user, query: str, filters: dict | None = None, page: int = 1):
    """The earlier ``search_cases`` (main before the bounded reads): ids of the page, total, capped."""
    filters = filters or {}
    groups = query_groups(query)
    keys = query_keys(query)
    visible = selectors._filtered(cases_visible_to(user), filters)
    keyed = list(CaseKey.objects.filter(key__in=keys).values_list("case_id", flat=True)[: COUNT_CAP + 1])
    exact_ids = (
        list(visible.filter(pk__in=keyed).values_list("pk", flat=True)[: COUNT_CAP + 1]) if keyed else []
    )
    found = Q(pk__in=exact_ids)
    match = text_match(groups) if groups and not exact_ids else None
    if match is not None:
        found |= Q(pk__in=match.ids)
    if exact_ids:
        base = Case.objects.filter(pk__in=exact_ids)
        total = len(exact_ids)
    else:
        base = visible.filter(found)
        total = base.order_by().values("pk")[: COUNT_CAP + 1].count()
    ranked = base.annotate(
        exact=Value(bool(exact_ids)),
        rank=Coalesce(match.rank, Value(0.0)) if match is not None else Value(0.0),
    ).order_by("-exact", "-rank", "-created_at", "-pk")
    offset = (page - 1) * PAGE_SIZE
    ids = list(ranked.values_list("pk", flat=True)[offset : offset + PAGE_SIZE])
    return ids, min(total, COUNT_CAP), total > COUNT_CAP


def _reference_similar(user, case):
    """The earlier similar-case ranking: every visible ended case of a related type or with a salient word."""
    parties = list(case.parties.all())
    respondents = {normal for normal in similar._respondent_names(parties)}
    words = salient_words(case.summary, names=[p.name for p in parties])
    match = text_match([[w] for w in words], any_word=True) if words else None
    related = {case.dispute_type.code, *RELATED_TYPES.get(case.dispute_type.code, ())}
    found = Q(dispute_type__code__in=related)
    if match is not None:
        found |= Q(pk__in=match.ids)
    candidates = list(
        cases_visible_to(user)
        .exclude(pk=case.pk)
        .filter(status__in=ENDED_STATUSES)
        .filter(found)
        .annotate(rank=Coalesce(match.rank, Value(0.0)) if match is not None else Value(0.0))
        .select_related("dispute_type", "center", "search_index")
        .order_by("-rank", "-concluded_at", "-pk")[: similar.CANDIDATES]
    )
    if not candidates:
        return []
    top = max(c.rank for c in candidates)
    scored = [_score(case, c, words, respondents, top) for c in candidates]
    scored.sort(key=lambda item: (-item.score, -(item.case.concluded_at or item.case.created_at).timestamp()))
    return [(item.case.pk, tuple(item.reasons)) for item in scored[: similar.SHOWN]]


@pytest.fixture
def generated(make_case, world, mediator):
    """About forty cases with the generator's summaries, across the county, its town and village and another
    county; half of those at the county settled or failed, some routed to the mediator's channel."""
    rng = random.Random(20)
    centers = [world.county, world.town, world.village, world.other_county]
    types = {t.code: t for t in DisputeType.objects.all()}
    cases = []
    for i in range(40):
        code = rng.choice([c for c in SUMMARIES if c in types])
        a, b = rng.sample(NAMES, 2)
        text = rng.choice(SUMMARIES[code]).format(a=a, b=b, n=rng.randint(2, 9), m=rng.randint(2, 30))
        respondent = rng.choice(COMPANIES + NAMES)
        center = rng.choice(centers)
        case = make_case(
            center=center,
            summary=text,
            dispute_type=types[code],
            people_count=rng.randint(1, 12),
            amount=Decimal(rng.randint(1, 90) * 1000),
            parties=[
                PartyData(role=Party.Role.APPLICANT, name=a, phone=f"1380000{i:04d}"),
                PartyData(role=Party.Role.RESPONDENT, name=respondent, kind=Party.Kind.ORGANISATION),
            ],
        )
        if center == world.county and i % 2 == 0:
            case = route(case, world.channels["specialist"])
            session(case, mediator)
            if i % 4:
                make_effective(case, mediator)
                case = services.conclude_case(case, actor=mediator, outcome="written_agreement")
            else:
                case = services.conclude_case(
                    case,
                    actor=mediator,
                    outcome="failed",
                    reason="被申请人拒不到场。",
                    routes=["arbitration"],
                )
        cases.append(case)
    return cases


def test_word_search_gives_the_earlier_pages_counts_and_order(request, generated, world):
    """Every persona, every query, two pages, with and without filters; exact keys too."""
    for persona in ("supervisor", "clerk", "mediator", "foreign_clerk"):
        user = request.getfixturevalue(persona)
        for query in QUERIES:
            for page in (1, 2):
                new = search_cases(user, query, page=page)
                ids, total, capped = _reference_search(user, query, page=page)
                assert [h.case.pk for h in new.hits] == ids, (persona, query, page)
                assert (new.total, new.capped) == (total, capped), (persona, query)
    supervisor = request.getfixturevalue("supervisor")
    for filters in (
        {"center": world.town},
        {"status": "closed"},
        {"dispute_type": generated[0].dispute_type},
    ):
        for query in QUERIES[:5]:
            ids, total, _capped = _reference_search(supervisor, query, filters)
            found = search_cases(supervisor, query, filters=filters)
            assert [h.case.pk for h in found.hits] == ids and found.total == total, (filters, query)
    for user in (supervisor, request.getfixturevalue("clerk")):
        for i, case in enumerate(generated[:8]):
            for query in (case.number, case.tracking_code, str(case.serial), f"1380000{i:04d}"):
                ids, total, _capped = _reference_search(user, query)
                found = search_cases(user, query)
                assert [h.case.pk for h in found.hits] == ids and found.total == total, query


def test_similar_cases_are_the_earlier_ones(request, generated):
    for persona in ("supervisor", "mediator"):
        user = request.getfixturevalue(persona)
        for case in generated[:20]:
            if not cases_visible_to(user).filter(pk=case.pk).exists():
                continue
            case = Case.objects.select_related("dispute_type").get(pk=case.pk)
            new = [(item.case.pk, tuple(item.reasons)) for item in similar_cases(user, case).items]
            assert new == _reference_similar(user, case), (persona, case.summary)


def test_a_case_granted_in_another_county_is_found_and_nothing_hidden_is(
    supervisor, world, make_case, foreign_clerk
):
    """The county read covers the user's counties; a case elsewhere comes only through the rest of the rule
    (here a grant), and a case of another county without one is never found, by words or by key."""
    from tests.conftest import _persona

    boss = _persona(world, "foreign_supervisor", "supervisor", center=world.other_county)
    elsewhere = make_case(center=world.other_county, summary="外县的宅基地边界纠纷", actor=foreign_clerk)
    hidden = make_case(center=world.other_county, summary="外县另一起宅基地边界纠纷", actor=foreign_clerk)
    assert elsewhere.pk not in [h.case.pk for h in search_cases(supervisor, "宅基地 边界").hits]
    grant_case_access(elsewhere, actor=boss, user=supervisor, write=False, reason="协查")
    found = [h.case.pk for h in search_cases(supervisor, "外县 宅基地").hits]
    assert elsewhere.pk in found and hidden.pk not in found
    assert found == _reference_search(supervisor, "外县 宅基地")[0]
    assert [h.case.pk for h in search_cases(supervisor, elsewhere.number).hits] == [elsewhere.pk]
    assert search_cases(supervisor, hidden.number).hits == []
    assert search_cases(supervisor, hidden.tracking_code).hits == []


def test_past_the_cap_the_newest_thousand_are_ranked(supervisor, make_case, monkeypatch):
    """With a cap of 5 (instead of 1,000): the count reads "5+", and the page holds the best ranked of the five
    newest matches — the same as the earlier ranking restricted to those five."""
    for i in range(8):
        make_case(summary="邻里纠纷。" + "纠纷，" * (i % 3) + f"第{i}次")
    monkeypatch.setattr(selectors, "COUNT_CAP", 5)
    found = search_cases(supervisor, "纠纷")
    assert found.capped and found.total == 5
    newest = list(
        cases_visible_to(supervisor)
        .filter(pk__in=text_match(query_groups("纠纷")).ids)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[:5]
    )
    monkeypatch.setattr(selectors, "COUNT_CAP", 1000)
    ranked = [pk for pk in _reference_search(supervisor, "纠纷")[0] if pk in newest]
    if len(ranked) < len(newest):  # more than a page matched: rank the five by the reference's whole order
        order = list(
            cases_visible_to(supervisor)
            .filter(pk__in=newest)
            .annotate(rank=text_match(query_groups("纠纷")).rank)
            .order_by("-rank", "-created_at", "-pk")
            .values_list("pk", flat=True)
        )
        ranked = order
    assert [h.case.pk for h in found.hits] == ranked
