"""The access rules for the case page and the case API, persona by persona."""

import pytest
from django.urls import reverse

from cases.core.access import cases_visible_to


@pytest.fixture
def case(make_case, world, mediator):
    case = make_case()
    case.channel = world.channels["specialist"]
    case.save(update_fields=["channel"])
    return case


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("clerk", 200),
        ("supervisor", 200),
        ("mediator", 200),
        ("other_mediator", 404),
        ("outsider", 404),
        ("foreign_clerk", 404),
    ],
)
def test_case_page_and_api_by_persona(request, login, case, persona, status):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == status
    assert client.get(reverse("api-case-detail", args=[case.pk])).status_code == status


def test_missing_case_and_hidden_case_answer_the_same(login, outsider, case):
    client = login(outsider)
    hidden = client.get(reverse("api-case-detail", args=[case.pk]))
    missing = client.get(reverse("api-case-detail", args=[case.pk + 1000]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_case_page_is_get_only(login, clerk, case):
    assert login(clerk).post(reverse("cases:detail", args=[case.pk])).status_code == 405


def test_case_page_masks_id_numbers_and_phones(login, clerk, case):
    html = login(clerk).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "110105********002X" in html
    assert "138****8000" in html
    assert "11010519491231002X" not in html and "13800138000" not in html


def test_api_masks_too(login, clerk, case):
    body = login(clerk).get(reverse("api-case-detail", args=[case.pk])).json()
    assert body["parties"][0]["id_number"] == "110105********002X"
    assert body["parties"][0]["phone"] == "138****8000"


def test_supervisor_sees_cases_of_centers_below(make_case, world, supervisor, clerk):
    town_case = make_case(center=world.town)
    other_case = make_case(center=world.other_county)
    visible = set(cases_visible_to(supervisor).values_list("pk", flat=True))
    assert town_case.pk in visible and other_case.pk not in visible


def test_case_list_shows_only_visible_cases(login, make_case, world, foreign_clerk, clerk):
    mine = make_case()
    theirs = make_case(center=world.other_county, actor=foreign_clerk)
    html = login(clerk).get(reverse("cases:list")).content.decode()
    assert mine.number in html and theirs.number not in html
