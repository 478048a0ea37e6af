"""The window's list, accept / refuse, repeat visits and merges (重复访、并单)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.core import states
from cases.intake.selectors import find_related_cases
from cases.intake.services import (
    IntakeRefused,
    PartyData,
    accept_case,
    mark_repeat,
    merge_case,
    refuse_case,
    register_case,
)
from cases.models import Case, Party, Source, Status, TimelineEvent
from tests.cases.intake_helpers import intake_post
from tests.conftest import make_case_data


@pytest.fixture
def submitted(world, citizen):
    return register_case(
        center=world.county, actor=citizen, data=make_case_data(source=Source.ONLINE), status=Status.SUBMITTED
    )


def test_intake_list_shows_the_window_of_the_clerks_center(
    login, clerk, make_case, submitted, world, foreign_clerk
):
    registered = make_case()
    elsewhere = make_case(center=world.other_county, actor=foreign_clerk)
    refused = make_case()
    refuse_case(refused, actor=clerk, reason="不属于受理范围")
    html = login(clerk).get(reverse("cases:intake-list")).content.decode()
    assert submitted.number in html and registered.number in html
    assert elsewhere.number not in html and refused.number not in html
    assert reverse("cases:intake-accept", args=[submitted.pk]) in html
    assert reverse("cases:intake-accept", args=[registered.pk]) not in html


def test_intake_list_queries_do_not_grow_with_the_page(
    login, clerk, make_case, django_assert_max_num_queries
):
    client = login(clerk)
    make_case()
    client.get(reverse("cases:intake-list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("cases:intake-list"))
    for _ in range(15):
        make_case()
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("cases:intake-list")).content.decode()
    assert html.count('data-case="') == 16


def test_intake_list_is_for_clerks(request, login):
    for persona, code in [("clerk", 200), ("mediator", 403), ("outsider", 403)]:
        assert login(request.getfixturevalue(persona)).get(reverse("cases:intake-list")).status_code == code
    assert login(request.getfixturevalue("clerk")).post(reverse("cases:intake-list")).status_code == 405


def test_accept_online_application(login, clerk, submitted):
    response = login(clerk).post(reverse("cases:intake-accept", args=[submitted.pk]))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.REGISTERED and submitted.accepted_at is not None
    event = submitted.events.first()
    assert (event.type, event.actor) == ("accepted", clerk)


def test_accept_twice_is_refused_with_a_message(login, clerk, submitted):
    client = login(clerk)
    client.post(reverse("cases:intake-accept", args=[submitted.pk]))
    response = client.post(reverse("cases:intake-accept", args=[submitted.pk]), follow=True)
    assert "不能转为" in response.content.decode()
    assert submitted.events.filter(type="accepted").count() == 1


def test_refuse_needs_a_reason(login, clerk, submitted):
    client = login(clerk)
    response = client.post(reverse("cases:intake-refuse", args=[submitted.pk]), {"reason": "  "}, follow=True)
    assert "不予受理须填写理由" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    with pytest.raises(IntakeRefused):
        refuse_case(submitted, actor=clerk, reason="")
    client.post(reverse("cases:intake-refuse", args=[submitted.pk]), {"reason": "已在法院立案"})
    submitted.refresh_from_db()
    assert submitted.status == Status.NOT_ACCEPTED and submitted.outcome_reason == "已在法院立案"
    event = submitted.events.first()
    assert event.type == "not_accepted" and event.data["reason"] == "已在法院立案" and event.is_public


@pytest.mark.parametrize(("persona", "code"), [("clerk", 302), ("outsider", 404), ("foreign_clerk", 404)])
def test_accept_and_refuse_access(request, login, submitted, persona, code):
    client = login(request.getfixturevalue(persona))
    assert (
        client.post(reverse("cases:intake-refuse", args=[submitted.pk]), {"reason": "x"}).status_code == code
    )
    assert client.get(reverse("cases:intake-accept", args=[submitted.pk])).status_code == 405


def test_window_actions_on_a_case_that_moved_on_are_forbidden(login, clerk, make_case):
    case = make_case()
    states.move(case, Status.ROUTED)  # the routing helper's step, done here directly
    client = login(clerk)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200  # still visible
    assert client.post(reverse("cases:intake-refuse", args=[case.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("cases:intake-accept", args=[case.pk])).status_code == 403


def test_related_cases_by_id_phone_and_name_birth_date(clerk, make_case, world):
    by_id = make_case()
    by_phone = make_case(
        parties=[
            PartyData(role="applicant", name="王五", phone="13700000000"),
            PartyData(role="respondent", name="甲"),
        ]
    )
    by_name = make_case(
        parties=[
            PartyData(role="applicant", name="赵六", birth_date=timezone.localdate().replace(year=1980)),
            PartyData(role="respondent", name="乙"),
        ]
    )
    unrelated = make_case(
        parties=[PartyData(role="applicant", name="路人"), PartyData(role="respondent", name="丙")]
    )
    new = [
        PartyData(role="applicant", name="张三", id_number="11010519491231002X"),
        PartyData(role="applicant", name="某", phone="13700000000"),
        PartyData(role="applicant", name="赵六", birth_date=timezone.localdate().replace(year=1980)),
    ]
    found = {r.case.pk: r for r in find_related_cases(clerk, parties=new)}
    assert set(found) == {by_id.pk, by_phone.pk, by_name.pk}
    assert unrelated.pk not in found
    assert any("证件号码相同" in reason for reason in found[by_id.pk].reasons)
    assert any("联系电话相同" in reason for reason in found[by_phone.pk].reasons)
    assert any("姓名和出生日期相同" in reason for reason in found[by_name.pk].reasons)


def test_same_matter_within_the_window_and_recent_closed_only(clerk, make_case, settings):
    settings.INTAKE_DUPLICATE_WINDOW_DAYS = 30
    parties = [PartyData(role="applicant", name="新人"), PartyData(role="respondent", name="某建筑公司")]
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        old = make_case(
            parties=[PartyData(role="applicant", name="甲"), PartyData(role="respondent", name="某建筑公司")]
        )
    recent = make_case(
        parties=[PartyData(role="applicant", name="乙"), PartyData(role="respondent", name="某建筑公司")]
    )
    other_type = make_case(
        parties=[PartyData(role="applicant", name="丙"), PartyData(role="respondent", name="某建筑公司")],
        dispute_type=recent.dispute_type.__class__.objects.get(code="contract"),
    )
    found = {
        r.case.pk: r for r in find_related_cases(clerk, parties=parties, dispute_type=recent.dispute_type)
    }
    assert set(found) == {recent.pk}
    assert found[recent.pk].same_matter and "同一被申请人" in found[recent.pk].reasons[0]
    assert old.pk not in found and other_type.pk not in found


def test_related_cases_are_only_those_the_clerk_may_see(clerk, make_case, world, foreign_clerk):
    make_case(center=world.other_county, actor=foreign_clerk)
    assert find_related_cases(clerk, parties=make_case_data().parties) == []


def test_related_lookup_queries_are_fixed(clerk, make_case, django_assert_max_num_queries):
    parties = make_case_data().parties
    for _ in range(3):
        make_case()
    with django_assert_max_num_queries(5):
        assert len(find_related_cases(clerk, parties=parties)) == 3
    for _ in range(10):
        make_case()
    with django_assert_max_num_queries(5):
        assert len(find_related_cases(clerk, parties=parties)) == 13


def test_check_button_shows_related_cases_while_registering(login, clerk, make_case):
    earlier = make_case()
    data = intake_post()
    data.pop("save")
    data["check"] = "1"
    html = login(clerk).post(reverse("cases:intake-register"), data).content.decode()
    assert earlier.number in html and "证件号码相同" in html
    assert Case.objects.count() == 1
    lookup = login(clerk).post(reverse("cases:intake-lookup"), data).content.decode()
    assert earlier.number in lookup


def test_register_as_repeat_visit_of_an_earlier_case(login, clerk, make_case):
    earlier = make_case()
    data = intake_post(link_action="repeat", link_case=str(earlier.pk))
    login(clerk).post(reverse("cases:intake-register"), data)
    new = Case.objects.exclude(pk=earlier.pk).get()
    earlier.refresh_from_db()
    assert new.repeat_of == earlier and earlier.repeat_count == 1
    event = new.events.get()
    assert event.type == "registered" and event.data["repeat_of"] == earlier.number
    html = login(clerk).get(reverse("cases:detail", args=[earlier.pk])).content.decode()
    assert new.number in html  # listed as a repeat visit on the original


def test_register_and_merge_keeps_both_records(login, clerk, make_case):
    earlier = make_case()
    login(clerk).post(
        reverse("cases:intake-register"), intake_post(link_action="merge", link_case=str(earlier.pk))
    )
    new = Case.objects.exclude(pk=earlier.pk).get()
    assert new.merged_into == earlier
    assert earlier.events.count() == 1 and new.events.count() == 1
    assert "并入" in new.events.get().data["reason"]


def test_link_action_needs_a_case(login, clerk):
    html = (
        login(clerk).post(reverse("cases:intake-register"), intake_post(link_action="merge")).content.decode()
    )
    assert "请在下方" in html and not Case.objects.exists()


def test_mark_repeat_and_merge_after_registration(login, clerk, make_case):
    earlier, new, third = make_case(), make_case(), make_case()
    client = login(clerk)
    page = client.get(reverse("cases:intake-registered", args=[new.pk])).content.decode()
    assert earlier.number in page and "标记为重复来访" in page
    client.post(reverse("cases:intake-link", args=[new.pk]), {"other": earlier.pk, "action": "repeat"})
    client.post(reverse("cases:intake-link", args=[third.pk]), {"other": earlier.pk, "action": "merge"})
    new.refresh_from_db()
    third.refresh_from_db()
    earlier.refresh_from_db()
    assert new.repeat_of == earlier and earlier.repeat_count == 1
    assert third.merged_into == earlier
    assert new.events.first().type == "marked_repeat" and third.events.first().type == "merged"
    assert third.events.first().actor == clerk
    detail = client.get(reverse("cases:detail", args=[earlier.pk])).content.decode()
    assert third.number in detail and new.number in detail
    # Merging twice or into a merged case is refused.
    with pytest.raises(IntakeRefused):
        merge_case(third, actor=clerk, into=new)
    with pytest.raises(IntakeRefused):
        mark_repeat(earlier, actor=clerk, original=earlier)


def test_merge_only_into_open_cases(clerk, make_case):
    earlier, new = make_case(), make_case()
    refuse_case(earlier, actor=clerk, reason="不属于受理范围")
    with pytest.raises(IntakeRefused, match="尚未办结"):
        merge_case(new, actor=clerk, into=earlier)
    assert TimelineEvent.objects.filter(type="merged").count() == 0


def test_link_access(login, make_case, outsider, clerk):
    earlier, new = make_case(), make_case()
    url = reverse("cases:intake-link", args=[new.pk])
    assert login(outsider).post(url, {"other": earlier.pk, "action": "repeat"}).status_code == 404
    assert login(clerk).get(url).status_code == 405


def test_accept_case_service_writes_one_event(clerk, submitted):
    accept_case(submitted, actor=clerk)
    assert list(submitted.events.values_list("type", flat=True)) == ["accepted", "submitted"]
    assert Party.objects.filter(case=submitted).count() == 2
