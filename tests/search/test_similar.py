"""Similar cases on the case page: the five most similar ended cases the user may see, with the reasons, how
each ended, how long it took, its terms or why it failed, the mediator; the same respondent flagged."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cases.core.models import Case, DisputeType, Party
from cases.intake.services import PartyData
from cases.lifecycle import services
from search.similar import similar_cases
from tests.cases.lifecycle_helpers import make_effective, route, session

pytestmark = pytest.mark.usefixtures("swept_at_once")  # conftest: what the index holds, not when

CONTRACTOR = "宏达建筑劳务有限公司"


def _parties(respondent: str, applicant: str = "刘建军"):
    return [
        PartyData(role=Party.Role.APPLICANT, name=applicant, phone="13700001111"),
        PartyData(role=Party.Role.RESPONDENT, name=respondent, kind=Party.Kind.ORGANISATION),
    ]


@pytest.fixture
def wage_case(make_case, world):
    def _make(summary, *, respondent=CONTRACTOR, people=8, amount="90000", center=None, type_code="labour"):
        case = make_case(
            center=center,
            summary=summary,
            parties=_parties(respondent),
            people_count=people,
            amount=Decimal(amount),
            dispute_type=DisputeType.objects.get(code=type_code),
        )
        return route(case, world.channels["specialist"])

    return _make


@pytest.fixture
def settled(wage_case, mediator):
    case = wage_case(f"{CONTRACTOR}拖欠8名农民工工资9.6万元。")
    session(case, mediator)
    make_effective(case, mediator)
    return services.conclude_case(case, actor=mediator, outcome="written_agreement")


@pytest.fixture
def failed(wage_case, mediator):
    case = wage_case(f"{CONTRACTOR}拖欠6名木工工资约5万元，包工头失联。", people=6, amount="50000")
    session(case, mediator)
    return services.conclude_case(
        case, actor=mediator, outcome="failed", reason="被申请人负责人拒不到场。", routes=["arbitration"]
    )


@pytest.fixture
def current(wage_case):
    return wage_case(f"{CONTRACTOR}拖欠7名钢筋工工资约8万元，工人聚集讨薪。", people=7, amount="80000")


def test_the_most_similar_ended_cases_with_reasons_outcome_terms_and_mediator(
    supervisor, mediator, settled, failed, current, wage_case
):
    still_open = wage_case(f"{CONTRACTOR}拖欠钢筋工工资。")  # open: not a precedent, but the same respondent
    section = similar_cases(supervisor, Case.objects.get(pk=current.pk))
    shown = [item.case.pk for item in section.items]
    assert set(shown) == {settled.pk, failed.pk} and still_open.pk not in shown and current.pk not in shown
    first = section.items[0]
    assert first.case.pk == settled.pk  # people and amount nearer
    assert {"同为劳动争议", "同为拖欠工资", "涉及人数相近", "金额相近", "同一被申请人"} <= set(first.reasons)
    assert first.same_respondent and first.outcome == "达成书面调解协议"
    assert "李四向张三支付工资人民币两万元" in first.terms and first.failure == ""
    assert first.mediator == str(mediator) and first.days == 0
    second = section.items[1]
    assert second.outcome == "调解不成，终止调解" and second.failure == "被申请人负责人拒不到场。"
    assert second.terms == ""
    # the respondent's other cases, open ones counted
    assert {c.pk for c in section.respondent_cases} == {settled.pk, failed.pk, still_open.pk}
    assert section.respondent_open == 1


def test_at_most_five_and_the_closest_first(supervisor, mediator, wage_case, current):
    ended = []
    for i in range(7):
        case = wage_case(f"某劳务公司{i}号项目拖欠工人工资。", respondent=f"某劳务公司{i}", people=7 + i * 10)
        ended.append(services.conclude_case(case, actor=mediator, outcome="withdrawn", reason="撤回"))
    neighbour = wage_case("邻居装修噪音扰民。", respondent="邻居", type_code="neighbour", people=1)
    services.conclude_case(neighbour, actor=mediator, outcome="withdrawn", reason="撤回")
    items = similar_cases(supervisor, Case.objects.get(pk=current.pk)).items
    assert len(items) == 5 and neighbour.pk not in [i.case.pk for i in items]
    assert items[0].case.pk == ended[0].pk and "涉及人数相近" in items[0].reasons  # 7 people, as this one
    assert all("同为劳动争议" in i.reasons and not i.same_respondent for i in items)


def test_similar_cases_are_only_those_the_user_may_see(
    mediator, other_mediator, settled, current, wage_case, world
):
    foreign = wage_case(f"{CONTRACTOR}拖欠工资。", center=world.other_county)
    # another county's case never shows, nor counts as the respondent's
    section = similar_cases(mediator, Case.objects.get(pk=current.pk))
    assert foreign.pk not in [c.pk for c in section.respondent_cases]
    assert settled.pk in [i.case.pk for i in section.items]  # the mediator's own case
    police = similar_cases(other_mediator, Case.objects.get(pk=current.pk))
    assert police.items == [] and police.respondent_cases == []


@pytest.mark.parametrize(
    ("persona", "status"),
    [("supervisor", 200), ("mediator", 200), ("other_mediator", 404), ("liaison", 404), ("outsider", 404)],
)
def test_section_and_api_by_persona(request, login, settled, current, persona, status):
    client = login(request.getfixturevalue(persona))
    page = client.get(reverse("search:similar", args=[current.pk]))
    assert page.status_code == status
    api = client.get(reverse("api-case-similar", args=[current.pk]))
    assert api.status_code == status
    if status == 200:
        html = page.content.decode()
        assert f'data-case="{settled.pk}"' in html and "同一被申请人" in html
        assert 'data-testid="same-respondent"' in html
        assert api.json()["items"][0]["id"] == settled.pk
        assert "同一被申请人" in api.json()["items"][0]["reasons"]
    assert client.post(reverse("search:similar", args=[current.pk])).status_code in (404, 405)


def test_the_case_page_loads_the_section(login, supervisor, current):
    html = login(supervisor).get(reverse("cases:detail", args=[current.pk])).content.decode()
    assert f'hx-get="{reverse("search:similar", args=[current.pk])}"' in html


def test_the_section_costs_the_same_queries_for_few_and_many_candidates(
    login, supervisor, mediator, wage_case, current, django_assert_max_num_queries
):
    client = login(supervisor)
    url = reverse("search:similar", args=[current.pk])
    client.get(url)
    for i in range(8):
        case = wage_case(f"{CONTRACTOR}拖欠工资{i}。", people=7)
        session(case, mediator)
        make_effective(case, mediator)
        services.conclude_case(case, actor=mediator, outcome="written_agreement")
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.content.decode().count('data-testid="similar-case"') == 5
