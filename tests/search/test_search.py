"""The case search: exact keys and words, ranked, highlighted and masked, filtered and paged at a fixed number of
queries, and never a case the user may not see (the access personas of tests/conftest.py)."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.core.models import Case, DisputeType, Party
from cases.intake.services import PartyData, register_case
from cases.lifecycle import services
from search.models import CaseIndex, CaseKey, IndexQueue
from search.selectors import PAGE_SIZE, search_cases
from tests.cases.lifecycle_helpers import *  # noqa: F403  (routed_case, mediating_case)
from tests.cases.lifecycle_helpers import route, session
from tests.conftest import VALID_ID, make_case_data

pytestmark = pytest.mark.usefixtures("swept_at_once")  # conftest: what the index holds, not when

CREDIT_CODE = "91350100M000100Y43"


def _ids(user, query, **filters) -> list[int]:
    return [hit.case.pk for hit in search_cases(user, query, filters=filters).hits]


def _results(html: str) -> str:
    """The result table only (the search box echoes what was typed)."""
    start = html.index('data-testid="search-results"')
    return html[start : html.index("</table>", start)]


@pytest.fixture
def corpus(make_case):
    """A small hand-made corpus: the word in the summary (head) outranks the word in the claims (body)."""
    wages = make_case(summary="某建筑公司拖欠12名农民工工资，工人多次讨薪。")
    claims_only = make_case(summary="邻里因房屋漏水发生纠纷。", claims="另称对方曾拖欠工资。")
    support = make_case(
        summary="离婚后子女抚养费支付问题。", dispute_type=DisputeType.objects.get(code="family")
    )
    spelled = make_case(summary="装修公司拖欠3名工人工资。")
    return {"wages": wages, "claims_only": claims_only, "support": support, "spelled": spelled}


# --- ranking ---------------------------------------------------------------------------------------------
def test_ranking_order_on_a_hand_made_corpus(supervisor, corpus):
    found = _ids(supervisor, "拖欠工资")
    assert set(found) == {corpus["wages"].pk, corpus["spelled"].pk, corpus["claims_only"].pk}
    assert found[-1] == corpus["claims_only"].pk  # only in the claims: last
    assert _ids(supervisor, "抚养费") == [corpus["support"].pk]
    assert _ids(supervisor, "漏水 工资") == [corpus["claims_only"].pk]  # every word must be there
    assert _ids(supervisor, "漏水 抚养费") == []
    assert _ids(supervisor, "讨薪 农民工") == [corpus["wages"].pk]


def test_more_matching_words_rank_higher(supervisor, make_case):
    once = make_case(summary="宅基地边界纠纷。")
    twice = make_case(summary="宅基地边界纠纷，宅基地使用证与实际宅基地不符。")
    assert _ids(supervisor, "宅基地") == [twice.pk, once.pk]


def test_exact_keys_come_first(supervisor, make_case):
    target = make_case(summary="普通纠纷")
    mention = make_case(summary=f"来访人称案号{target.serial}号的案件与其有关")
    found = search_cases(supervisor, target.number)
    assert [h.case.pk for h in found.hits][:1] == [target.pk] and found.hits[0].exact
    assert mention.pk != found.hits[0].case.pk


@pytest.mark.parametrize(
    "query",
    [
        "number",
        "number_fullwidth",
        "serial",
        "serial_with_words",
        "tracking",
        "tracking_lower",
        "phone",
        "phone_spaced",
        "phone_plus86",
        "id_lower",
        "credit",
    ],
)
def test_exact_lookup_on_the_normalised_value(supervisor, make_case, query):
    parties = [
        PartyData(role=Party.Role.APPLICANT, name="张三", id_type=Party.IdType.RESIDENT_ID, id_number=VALID_ID,
                  phone="13800138000"),
        PartyData(role=Party.Role.RESPONDENT, name="某某公司", kind=Party.Kind.ORGANISATION, credit_code=CREDIT_CODE),
    ]  # fmt: skip
    case = make_case(parties=parties)
    make_case(
        summary="别的案件", parties=[PartyData(role=Party.Role.APPLICANT, name="王五", phone="13700137000")]
    )
    value = {
        "number": case.number,
        "number_fullwidth": case.number.replace("(", "（").replace(")", "）"),
        "serial": str(case.serial),
        "serial_with_words": f"第{case.serial}号",
        "tracking": case.tracking_code,
        "tracking_lower": case.tracking_code.lower(),
        "phone": "13800138000",
        "phone_spaced": "138 0013 8000",
        "phone_plus86": "+8613800138000",
        "id_lower": VALID_ID.lower(),
        "credit": CREDIT_CODE.lower(),
    }[query]
    found = search_cases(supervisor, value)
    assert found.hits and found.hits[0].case.pk == case.pk and found.hits[0].exact


def test_a_phone_is_matched_whole_not_by_a_part(supervisor, make_case):
    make_case()
    assert _ids(supervisor, "1380013") == []


# --- what the page shows ---------------------------------------------------------------------------------
def test_results_show_masked_phones_and_ids_and_mark_the_words(login, supervisor, make_case):
    case = make_case(summary="某公司拖欠工资三个月。")
    for query in ("13800138000", VALID_ID, "张三 拖欠工资"):
        html = login(supervisor).get(reverse("cases:search"), {"q": query}).content.decode()
        results = _results(html)
        assert f'data-case="{case.pk}"' in results
        assert "138****8000" in results and "110105********002X" in results
        assert "13800138000" not in results and VALID_ID not in results
    assert "<mark>拖欠工资</mark>" in results and "<mark>张三</mark>" in results
    assert case.get_status_display() in results and case.center.name in results
    assert timezone.localtime(case.created_at).strftime("%Y-%m-%d") in results


def test_the_api_masks_too(login, supervisor, make_case):
    case = make_case()
    body = login(supervisor).get(reverse("api-case-search"), {"q": "13800138000"}).json()
    assert [row["id"] for row in body["results"]] == [case.pk]
    row = body["results"][0]
    assert row["exact"] is True
    assert {p["phone"] for p in row["parties"]} == {"138****8000", "139****5678"}
    assert "13800138000" not in str(body["results"]) and VALID_ID not in str(body["results"])


def test_user_text_is_escaped_around_the_marks(supervisor, make_case):
    make_case(summary='<script>alert(1)</script>拖欠工资 & "amp"')
    hit = search_cases(supervisor, "拖欠工资 amp").hits[0]
    assert "<script>" not in hit.summary
    assert "&lt;script&gt;" in hit.summary and "<mark>拖欠工资</mark>" in hit.summary
    assert "&amp; &quot;<mark>amp</mark>&quot;" in hit.summary  # the entity itself is never marked


def test_a_word_found_outside_the_summary_shows_where(supervisor, mediating_case):
    hit = search_cases(supervisor, "分两期").hits[0]
    assert hit.case.pk == mediating_case.pk
    assert "<mark>分两期</mark>" in hit.snippet or "<mark>两期</mark>" in hit.snippet


# --- index kept current after each change (the sweep's work, here at once) ----------------------------------
def test_session_records_and_agreement_terms_are_found_after_they_are_written(
    supervisor, routed_case, mediator
):
    assert _ids(supervisor, "微信转账") == []
    session(routed_case, mediator, discussion="公司同意通过微信转账支付。")
    assert _ids(supervisor, "微信转账") == [routed_case.pk]
    services.save_agreement(
        routed_case, actor=mediator, facts="欠薪", issues="数额", responsibilities="公司支付",
        terms=[services.TermData("公司以承兑汇票支付工资", "承兑汇票", timezone.localdate() + timedelta(days=9))],
    )  # fmt: skip
    assert _ids(supervisor, "承兑汇票") == [routed_case.pk]


def test_the_index_rolls_back_with_the_change(supervisor, world, clerk):
    with pytest.raises(RuntimeError, match="undone"), transaction.atomic():
        case = register_case.step(
            center=world.county, actor=clerk, data=make_case_data(summary="回滚的宅基地纠纷")
        )
        assert _ids(supervisor, "宅基地") == [case.pk]  # indexed inside the change's transaction
        raise RuntimeError("undone")
    assert _ids(supervisor, "宅基地") == [] and CaseIndex.objects.count() == 0
    assert CaseKey.objects.count() == 0 and IndexQueue.objects.count() == 0


def test_rebuild_command_restores_the_index(supervisor, corpus):
    CaseIndex.objects.all().delete()
    CaseKey.objects.all().delete()
    assert _ids(supervisor, "抚养费") == []
    call_command("rebuild_search_index", batch=2, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _ids(supervisor, "抚养费") == [corpus["support"].pk]
    assert _ids(supervisor, corpus["wages"].tracking_code)[0] == corpus["wages"].pk
    call_command("rebuild_search_index", missing=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert CaseIndex.objects.count() == len(corpus)


# --- access first ----------------------------------------------------------------------------------------
@pytest.fixture
def police_case(make_case, world):
    """Routed to the police channel at the county, nobody has claimed it."""
    return route(make_case(summary="邻居饲养犬只咬伤路人"), world.channels["police"])


@pytest.mark.parametrize(
    ("persona", "finds"),
    [
        ("supervisor", True),
        ("clerk", True),  # registered at their center
        ("other_mediator", True),  # the police channel's unclaimed case
        ("mediator", False),  # another channel's unassigned case
        ("liaison", False),  # nothing outside their summonses
        ("outsider", False),
        ("foreign_clerk", False),
    ],
)
def test_search_finds_only_what_the_persona_may_see(request, login, police_case, persona, finds):
    user = request.getfixturevalue(persona)
    for query in ("犬只咬伤", police_case.number, police_case.tracking_code, "13800138000"):
        assert (police_case.pk in _ids(user, query)) is finds, query
        page = login(user).get(reverse("cases:search"), {"q": query}).content.decode()
        assert (f'data-case="{police_case.pk}"' in page) is finds
        api = login(user).get(reverse("api-case-search"), {"q": query})
        assert api.status_code == 200
        assert (police_case.pk in {row["id"] for row in api.json()["results"]}) is finds


def test_counts_never_include_hidden_cases(login, mediator, police_case, make_case, world):
    route(make_case(summary="另一起犬只咬伤"), world.channels["specialist"])
    body = login(mediator).get(reverse("api-case-search"), {"q": "犬只咬伤"}).json()
    assert body["count"] == 1 and len(body["results"]) == 1


# --- filters ---------------------------------------------------------------------------------------------
def test_filters_narrow_the_results(supervisor, make_case, world):
    town = make_case(center=world.town, summary="镇上拖欠工资")
    village = make_case(center=world.village, summary="村里拖欠工资")
    county = route(make_case(summary="县里拖欠工资"), world.channels["specialist"])
    family = make_case(summary="拖欠工资后离婚", dispute_type=DisputeType.objects.get(code="family"))
    assert set(_ids(supervisor, "拖欠工资", center=world.town)) == {town.pk, village.pk}
    assert _ids(supervisor, "拖欠工资", center=world.village) == [village.pk]
    assert _ids(supervisor, "拖欠工资", status="routed") == [county.pk]
    assert _ids(supervisor, "拖欠工资", channel=world.channels["specialist"]) == [county.pk]
    assert _ids(supervisor, "拖欠工资", dispute_type=family.dispute_type) == [family.pk]
    Case.objects.filter(pk=town.pk).update(created_at=timezone.now() - timedelta(days=400))
    today = timezone.localdate()
    assert town.pk not in _ids(supervisor, "拖欠工资", since=today - timedelta(days=30))
    assert _ids(supervisor, "拖欠工资", until=today - timedelta(days=300)) == [town.pk]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"status": "nonsense"}, "status", "没有这个状态"),
        ({"channel": "nowhere"}, "channel", "没有这个渠道"),
        ({"dispute_type": "x"}, "dispute_type", "没有这个纠纷类型"),
        ({"center": "999999"}, "center", "所选中心不存在"),
        ({"since": "2026-13-40"}, "since", "请输入有效日期"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "until", "结束日期不能早于开始日期"),
        ({"page": "0"}, "page", ""),
        ({"page": "51"}, "page", "最多显示前 50 页"),
    ],
)
def test_bad_filters_answer_400_saying_what_is_wrong(login, supervisor, params, field, message):
    client = login(supervisor)
    page = client.get(reverse("cases:search"), {"q": "工资", **params})
    assert page.status_code == 400 and message in page.content.decode()
    api = client.get(reverse("api-case-search"), {"q": "工资", **params})
    assert api.status_code == 400
    assert field in api.json()["error"]["fields"] and message in str(api.json()["error"]["fields"][field])


def test_another_centers_id_is_no_filter_for_an_outsider(login, clerk, world):
    response = login(clerk).get(reverse("api-case-search"), {"q": "工资", "center": world.other_county.pk})
    assert response.status_code == 400


def test_nothing_typed_junk_and_methods(login, clerk, client):
    client = login(clerk)
    assert client.get(reverse("cases:search")).status_code == 200
    assert client.get(reverse("cases:search"), {"q": "%' OR 1=1 -- \"' AND ( NEAR"}).status_code == 200
    assert (
        client.get(reverse("cases:search"), {"q": "拖欠工资" * 100}).status_code == 200
    )  # searched by its start
    assert client.get(reverse("api-case-search"), {"q": "\"'*)(: OR AND NOT ^"}).status_code == 200
    assert client.post(reverse("cases:search")).status_code == 405
    assert client.post(reverse("api-case-search")).status_code == 405
    client.logout()
    assert client.get(reverse("api-case-search"), {"q": "工资"}).status_code in (401, 403)


# --- pagination at a fixed number of queries -------------------------------------------------------------
def test_pages_cost_the_same_queries_for_few_and_many_results(login, supervisor, make_case):
    make_case(summary="拖欠工资")
    client = login(supervisor)
    client.get(reverse("cases:search"), {"q": "拖欠工资"})  # warm the session and the counts
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("cases:search"), {"q": "拖欠工资"})
    for _ in range(PAGE_SIZE + 4):
        make_case(summary="拖欠工资")
    with CaptureQueriesContext(connection) as many:
        first = client.get(reverse("cases:search"), {"q": "拖欠工资"}).content.decode()
    assert len(many.captured_queries) == len(one.captured_queries)
    assert first.count('data-testid="search-hit"') == PAGE_SIZE
    assert "找到 25 件" in first and 'data-testid="search-next"' in first
    with CaptureQueriesContext(connection) as second_page:
        second = client.get(reverse("cases:search"), {"q": "拖欠工资", "page": 2}).content.decode()
    assert len(second_page.captured_queries) == len(one.captured_queries)
    assert second.count('data-testid="search-hit"') == 5 and 'data-testid="search-next"' not in second
    first_ids = set(re.findall(r'data-case="(\d+)"', first))
    assert first_ids.isdisjoint(re.findall(r'data-case="(\d+)"', second))
