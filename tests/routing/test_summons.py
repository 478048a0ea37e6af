"""Department summons (中心吹哨、部门报到): liaison queue, report, decline, record, overdue list."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from routing import services
from routing.errors import RoutingError
from routing.models import Summons


@pytest.fixture
def summons(case_in_queue):
    return Summons.objects.get(case=case_in_queue)


def test_liaison_sees_summons_in_own_queue_only(login, liaison, other_liaison, summons):
    html = login(liaison).get(reverse("routing:liaison_queue")).content.decode()
    assert summons.case.number in html
    html = login(other_liaison).get(reverse("routing:liaison_queue")).content.decode()
    assert summons.case.number not in html


def test_liaison_sees_only_the_parts_they_need(login, liaison, summons):
    client = login(liaison)
    html = client.get(reverse("routing:summons_detail", args=[summons.pk])).content.decode()
    assert "拖欠工资" in html and "张三" in html
    # no ID numbers or phones, not even masked, and no case page or timeline
    # (a pattern, not "138": on PostgreSQL ids grow across the run and a link like /cases/1385/ would match)
    assert "110105" not in html and not re.search(r"1[3-9]\d(?:\d{4}|\*{4})\d{4}", html)
    assert client.get(reverse("cases:detail", args=[summons.case_id])).status_code == 404
    body = client.get(reverse("api-summons-detail", args=[summons.pk])).json()
    assert body["case"]["parties"] == ["张三", "李四"]
    assert "events" not in body["case"] and "tracking_code" not in body["case"]


def test_accept_then_record_action(login, liaison, summons, mediator):
    client = login(liaison)
    assert client.post(reverse("routing:summons_accept", args=[summons.pk])).status_code == 302
    summons.refresh_from_db()
    assert summons.state == Summons.State.ACCEPTED and summons.responded_by == liaison
    assert summons.case.events.get(type="summons_accepted").actor == liaison
    client.post(
        reverse("routing:summons_action", args=[summons.pk]), {"action": "已约谈企业负责人，责令限期支付工资"}
    )
    summons.refresh_from_db()
    assert summons.state == Summons.State.DONE
    assert summons.action_taken == "已约谈企业负责人，责令限期支付工资"
    html = client.get(reverse("routing:summons_detail", args=[summons.pk])).content.decode()
    assert "已约谈企业负责人" in html


def test_decline_needs_reason(login, liaison, summons):
    client = login(liaison)
    response = client.post(reverse("routing:summons_decline", args=[summons.pk]), {"reason": ""}, follow=True)
    assert "该字段是必填项。" in response.content.decode()
    summons.refresh_from_db()
    assert summons.state == Summons.State.PENDING
    client.post(reverse("routing:summons_decline", args=[summons.pk]), {"reason": "不属于本部门职责"})
    summons.refresh_from_db()
    assert summons.state == Summons.State.DECLINED and summons.decline_reason == "不属于本部门职责"
    assert summons.case.events.get(type="summons_declined").data["reason"] == "不属于本部门职责"
    # answered once: a later report is refused with a message
    response = client.post(reverse("routing:summons_accept", args=[summons.pk]), follow=True)
    assert "该协办已响应，不能重复报到。" in response.content.decode()


def test_only_the_departments_liaison_answers(login, other_liaison, mediator, summons, assigned_case):
    assert login(other_liaison).post(reverse("routing:summons_accept", args=[summons.pk])).status_code == 404
    # the mediator sees the summons but does not answer for the department
    assert login(mediator).post(reverse("routing:summons_accept", args=[summons.pk])).status_code == 403


def test_mediator_summons_department_with_deadline(login, mediator, assigned_case, world, other_liaison):
    market = other_liaison.memberships.get().department
    deadline = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = login(mediator).post(
        reverse("routing:summon", args=[assigned_case.pk]),
        {"departments": [market.pk], "deadline": deadline, "note": "核查产品质量"},
    )
    assert response.status_code == 302
    created = Summons.objects.get(case=assigned_case, department=market)
    assert created.summoned_by == mediator and created.note == "核查产品质量"
    assert assigned_case.number in login(other_liaison).get(reverse("routing:liaison_queue")).content.decode()
    # the same department cannot be summoned twice while the first is open
    with pytest.raises(RoutingError):
        services.summon_departments(
            assigned_case, actor=mediator, departments=[market], deadline=timezone.now() + timedelta(days=1)
        )


def test_past_deadline_is_refused_on_the_form(login, mediator, assigned_case, world):
    response = login(mediator).post(
        reverse("routing:summon", args=[assigned_case.pk]),
        {"departments": [world.department.pk], "deadline": "2020-01-01T10:00"},
    )
    assert response.status_code == 200 and "响应期限必须晚于当前时间。" in response.content.decode()


def test_overdue_summonses_listed_for_supervisors(login, supervisor, foreign_supervisor, liaison, summons):
    client = login(supervisor)
    assert summons.case.number not in client.get(reverse("routing:overdue_summonses")).content.decode()
    with time_machine.travel(summons.deadline + timedelta(hours=1)):
        client.logout()  # a fresh session: the idle timeout would end the old one
        client = login(supervisor)
        html = client.get(reverse("routing:overdue_summonses")).content.decode()
        assert summons.case.number in html and "人社局" in html
        client.logout()
        foreign = login(foreign_supervisor).get(reverse("routing:overdue_summonses")).content.decode()
        assert summons.case.number not in foreign
        services.accept_summons(summons, actor=liaison)
        client.logout()
        client = login(supervisor)
        assert summons.case.number not in client.get(reverse("routing:overdue_summonses")).content.decode()


def test_summons_api_flow(login, liaison, summons):
    client = login(liaison)
    listing = client.get(reverse("api-summons-list")).json()
    assert [row["id"] for row in listing["results"]] == [summons.pk]
    assert client.post(reverse("api-summons-accept", args=[summons.pk])).json()["state"] == "accepted"
    response = client.post(
        reverse("api-summons-action", args=[summons.pk]),
        {"action": "已到场"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["action_taken"] == "已到场"
