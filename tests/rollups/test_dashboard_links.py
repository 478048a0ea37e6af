"""The dashboard's refresh endpoint and the case-list filters its charts, tiles and rows link to."""

import pytest
from django.urls import reverse

from cases.core.models import Case, WarningLevel
from cases.core.workcalendar import local_date

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "persona,status",
    [("supervisor", 200), ("admin_user", 200), ("mediator", 403), ("clerk", 403), ("outsider", 403)],
)
def test_the_live_part_has_the_dashboards_access(request, login, make_case, persona, status):
    make_case(risk_violence=True)
    response = login(request.getfixturevalue(persona)).get(reverse("cases:warnings_dashboard_live"))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert 'id="dashboard-data"' in html and 'data-testid="red-orange"' in html
        assert "<html" not in html  # the fragment only


def test_the_live_part_refuses_a_bad_period(login, supervisor):
    response = login(supervisor).get(reverse("cases:warnings_dashboard_live"), {"start": "2026-13-01"})
    assert response.status_code == 200  # the form shows the error, the default period is used
    assert "dashboard-data" in response.content.decode()


def test_chart_links_filter_the_case_list(login, make_case, world, supervisor, clerk, foreign_clerk):
    red = make_case(risk_violence=True)
    plain = make_case(center=world.town)
    foreign = make_case(center=world.other_county, actor=foreign_clerk, risk_violence=True)
    client = login(supervisor)
    url = reverse("cases:list")

    def listed(**params) -> set[str]:
        html = client.get(url, params).content.decode()
        return {c.number for c in (red, plain, foreign) if c.number in html}

    assert listed(open=1, lv=WarningLevel.RED, channel=0) == {red.number}
    assert listed(open=1, center=world.town.pk) == {plain.number}
    assert listed(center=world.other_county.pk) == set()  # another county's cases stay unseen
    day = local_date(red.created_at).isoformat()
    assert listed(registered_from=day, registered_to=day) == {red.number, plain.number}
    assert listed(concluded_from=day, concluded_to=day) == set()
    Case.objects.filter(pk=plain.pk).update(concluded_at=red.created_at, status="concluded")
    assert listed(concluded_from=day, concluded_to=day) == {plain.number}


@pytest.mark.parametrize(
    "params,message",
    [
        ({"lv": "red"}, "须为非负整数"),
        ({"center": "-1"}, "须为非负整数"),
        ({"channel": "9" * 30}, "须为非负整数"),
        ({"registered_from": "2026-02-30"}, "日期格式应为 YYYY-MM-DD"),
    ],
)
def test_a_bad_link_filter_is_told_not_dropped(login, supervisor, params, message):
    response = login(supervisor).get(reverse("cases:list"), params)
    assert response.status_code == 400
    assert message in response.content.decode()
