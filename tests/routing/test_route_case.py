"""The clerk's route page: the suggestion with its rule and reason, accept, or override with a reason."""

import pytest
from django.urls import reverse

from cases.models import Status
from routing import services
from routing.errors import RoutingError
from routing.models import RouteDecision, Summons


def _route_url(case):
    return reverse("routing:route_case", args=[case.pk])


def test_route_page_shows_suggestion_with_rule_and_reason(login, clerk, make_case):
    case = make_case()
    html = login(clerk).get(_route_url(case)).content.decode()
    assert "建议分流方案" in html
    assert "劳动争议" in html and "专调" in html and "人社局" in html
    assert "劳动争议由企业/乡镇劳动争议调委会调解，人社部门协办" in html


def test_case_page_links_to_route_page_for_the_clerk(login, clerk, make_case):
    case = make_case()
    html = login(clerk).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert _route_url(case) in html


def test_accepting_the_suggestion_routes_and_records_rule_on_timeline(login, clerk, make_case, world):
    case = make_case()
    response = login(clerk).post(_route_url(case), {"action": "accept"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ROUTED
    assert case.channel == world.channels["specialist"]
    assert case.center == world.county and case.routed_at is not None
    event = case.events.get(type="routed")
    assert event.actor == clerk
    assert event.data["rule_name"] == "劳动争议" and event.data["overridden"] is False
    assert "纠纷类型为“劳动争议”" in event.data["explanation"]
    decision = RouteDecision.objects.get(case=case)
    assert decision.rule.code == "labour" and not decision.overridden
    # the rule's department was summoned, with its own timeline event
    summons = Summons.objects.get(case=case)
    assert summons.department == world.department and summons.state == Summons.State.PENDING
    assert case.events.filter(type="summoned").count() == 1
    page = login(clerk).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "分流" in page and "劳动争议由企业/乡镇劳动争议调委会调解" in page


def test_override_without_reason_is_refused_and_keeps_input(login, clerk, make_case, world):
    case = make_case()
    response = login(clerk).post(
        _route_url(case),
        {
            "action": "override",
            "channel": world.channels["police"].pk,
            "center": world.county.pk,
            "departments": [world.department.pk],
            "priority": "0",
            "override_reason": "",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "调整建议的分流方案时必须填写理由。" in html
    assert f'value="{world.channels["police"].pk}" selected' in html
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_override_with_reason_is_on_the_timeline(login, clerk, make_case, world):
    case = make_case()
    response = login(clerk).post(
        _route_url(case),
        {
            "action": "override",
            "channel": world.channels["police"].pk,
            "center": world.county.pk,
            "priority": "2",
            "override_reason": "双方已在派出所调解过一次",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.channel == world.channels["police"] and case.priority == 2
    event = case.events.get(type="routed")
    assert event.data["overridden"] is True
    assert event.data["reason"] == "双方已在派出所调解过一次"
    assert event.data["suggested_channel"] == "specialist"
    assert not Summons.objects.filter(case=case).exists()  # departments unticked
    html = login(clerk).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "双方已在派出所调解过一次" in html


def test_route_to_a_center_outside_the_tree_is_refused(make_case, clerk, world):
    with pytest.raises(RoutingError):
        services.route_case(make_case(), actor=clerk, center=world.other_county, override_reason="x")


def test_a_routed_case_cannot_be_routed_again(make_case, clerk, login):
    case = services.route_case(make_case(), actor=clerk)
    response = login(clerk).post(_route_url(case), {"action": "accept"})
    # the clerk may no longer change a routed case
    assert response.status_code in (403, 404)


def test_route_over_the_api(login, clerk, make_case, world):
    case = make_case()
    client = login(clerk)
    suggestion = client.get(reverse("api-case-route", args=[case.pk])).json()
    assert suggestion["rule_name"] == "劳动争议" and suggestion["channel"] == "specialist"
    assert suggestion["departments"] == ["hrss"]
    refused = client.post(
        reverse("api-case-route", args=[case.pk]), {"channel": "police"}, content_type="application/json"
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "调整建议的分流方案时必须填写理由。"
    done = client.post(reverse("api-case-route", args=[case.pk]), {}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "routed"


def test_auto_assign_channel_gives_case_to_least_loaded_matching_mediator(
    make_case, clerk, world, mediator, mediator2
):
    from accounts.models import Membership

    channel = world.channels["specialist"]
    channel.auto_assign = True
    channel.save()
    Membership.objects.filter(user=mediator).update(speciality="医疗")
    Membership.objects.filter(user=mediator2).update(speciality="劳动争议、欠薪")
    first = services.route_case(make_case(), actor=clerk)
    assert first.assignments.get().mediator == mediator2  # the labour speciality wins over load
    assert first.events.get(type="assigned").data["auto"] is True
    first.refresh_from_db()
    assert first.status == Status.IN_MEDIATION
    Membership.objects.filter(user=mediator).update(speciality="")
    Membership.objects.filter(user=mediator2).update(speciality="")
    second = services.route_case(make_case(), actor=clerk)
    assert second.assignments.get().mediator == mediator  # no specialist: the least loaded generalist


def test_clerks_list_links_registered_cases_to_route_page(login, clerk, make_case):
    waiting = make_case()
    routed = services.route_case(make_case(), actor=clerk)
    html = login(clerk).get(reverse("cases:list")).content.decode()
    assert _route_url(waiting) in html
    assert _route_url(routed) not in html
