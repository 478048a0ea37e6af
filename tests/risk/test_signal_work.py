"""Signals are worked like cases: acknowledge, assign, conference with follow-up tasks, close — on the
signal's timeline with actors; the pages and the API answer allowed users, readers and outsiders alike."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Center, Membership
from cases.core.models import TimelineEvent
from cases.warnings.models import CaseConference
from risk.models import FollowUpTask, RiskSignal
from risk.services import detect_risks
from tests.conftest import _persona
from tests.factories import CenterFactory
from tests.risk.helpers import plant, weekly

JSON = "application/json"


@pytest.fixture
def surge(world):
    now = timezone.now()
    plant(world.town, "labour", weekly(now, {**{w: 1 for w in range(5, 16)}, 0: 7}))
    detect_risks(now=now)
    return RiskSignal.objects.get()


@pytest.fixture
def other_town_signal(world):
    town_b = CenterFactory(
        name="乙镇矛调中心", short_name="乙镇", level=Center.Level.TOWN, parent=world.county
    )
    now = timezone.now()
    plant(town_b, "consumer", weekly(now, {0: 6}))
    detect_risks(now=now)
    return RiskSignal.objects.get(center=town_b)


def _future(days=3):
    return (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_a_supervisor_works_a_signal_through_to_its_conclusion(
    client, login, world, supervisor, mediator, surge
):
    login(supervisor)
    board = client.get(reverse("risk:board"))
    assert board.status_code == 200
    assert "测试镇 劳动争议 近7日 7 件" in board.content.decode()

    url = reverse("risk:signal", args=[surge.pk])
    assert client.post(reverse("risk:acknowledge", args=[surge.pk])).status_code == 302
    response = client.post(
        reverse("risk:assign", args=[surge.pk]), {"assignee": mediator.pk, "note": "牵头核查"}
    )
    assert response.status_code == 302
    case = surge.signal_cases.first().case
    response = client.post(
        reverse("risk:conference", args=[surge.pk]),
        {
            "case": case.pk,
            "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "participants": "人社局、住建局、测试镇",
            "decisions": "三日内约谈施工方，核实欠薪名单",
            "task_title": "约谈施工方",
            "task_owner": mediator.pk,
            "task_due": _future(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    conference = CaseConference.objects.get(case=case)
    assert conference.risk_signal_link.signal == surge  # the existing conference record carries the signal
    assert TimelineEvent.objects.filter(case=case, type="conference_recorded").exists()
    task = FollowUpTask.objects.get()
    assert (task.owner, task.conference.conference) == (mediator, conference)

    login(mediator)  # the task's owner records it done
    page = client.get(url)
    assert page.status_code == 200 and "约谈施工方" in page.content.decode()
    done = client.post(
        reverse("risk:task_done", args=[surge.pk, task.pk]), {"result": "已约谈，承诺月底前发放"}
    )
    assert done.status_code == 302
    assert client.post(reverse("risk:close", args=[surge.pk]), {"conclusion": "x"}).status_code == 403

    login(supervisor)
    empty = client.post(reverse("risk:close", args=[surge.pk]), {"conclusion": ""})
    assert empty.status_code == 400 and "研判结论" in empty.content.decode()
    assert (
        client.post(reverse("risk:close", args=[surge.pk]), {"conclusion": "欠薪已清偿"}).status_code == 302
    )
    surge.refresh_from_db()
    assert surge.state == "closed" and surge.conclusion == "欠薪已清偿"
    timeline = list(surge.events.values_list("type", "actor__username"))
    assert timeline == [
        ("raised", None),
        ("acknowledged", "supervisor"),
        ("assigned", "supervisor"),
        ("conference_linked", "supervisor"),
        ("task_done", "mediator"),
        ("closed", "supervisor"),
    ]
    page = client.get(url).content.decode()
    assert "欠薪已清偿" in page and "系统检测" in page


def test_refusals_answer_4xx_with_a_message(client, login, supervisor, world, surge):
    login(supervisor)
    client.post(reverse("risk:close", args=[surge.pk]), {"conclusion": "已处置"})
    again = client.post(reverse("risk:acknowledge", args=[surge.pk]), follow=True)
    assert "该风险信号已签收" in again.content.decode() or "已办结" in again.content.decode()
    bad_task = client.post(
        reverse("risk:add_task", args=[surge.pk]), {"title": "x", "owner": "abc", "due_at": "x"}
    )
    assert bad_task.status_code == 400
    assert client.get(reverse("risk:cases"), {"center": "abc"}).status_code == 400
    assert client.get(reverse("risk:signal", args=[99999])).status_code == 404


def test_a_town_supervisor_sees_only_their_subtree(client, login, world, surge, other_town_signal):
    town_supervisor = _persona(world, "town_supervisor", Membership.Role.SUPERVISOR, center=world.town)
    login(town_supervisor)
    board = client.get(reverse("risk:board")).content.decode()
    assert surge.title in board and other_town_signal.title not in board
    assert client.get(reverse("risk:signal", args=[other_town_signal.pk])).status_code == 404
    assert client.post(reverse("risk:acknowledge", args=[other_town_signal.pk])).status_code == 404
    assert client.get(reverse("api-risk-signal-detail", args=[other_town_signal.pk])).status_code == 404
    listed = client.get(reverse("api-risk-signal-list")).json()
    assert [row["id"] for row in listed["results"]] == [surge.pk]
    town_b = other_town_signal.center_id
    assert client.get(reverse("risk:cases"), {"center": town_b}).status_code == 404
    assert client.get(reverse("risk:signal", args=[surge.pk])).status_code == 200


def test_readers_and_outsiders(client, login, world, supervisor, mediator, outsider, surge):
    login(supervisor)
    client.post(reverse("risk:assign", args=[surge.pk]), {"assignee": mediator.pk})
    login(mediator)  # the assignee reads the signal but may not work it
    assert client.get(reverse("risk:signal", args=[surge.pk])).status_code == 200
    assert client.post(reverse("risk:acknowledge", args=[surge.pk])).status_code == 403
    assert (
        client.post(
            reverse("api-risk-signal-close", args=[surge.pk]), {"conclusion": "x"}, content_type=JSON
        ).status_code
        == 403
    )
    assert client.get(reverse("risk:board")).status_code == 403
    login(outsider)
    for name in ("risk:signal", "risk:acknowledge"):
        method = client.get if name == "risk:signal" else client.post
        assert method(reverse(name, args=[surge.pk])).status_code == 404
    assert client.get(reverse("api-risk-signal-detail", args=[surge.pk])).status_code == 404
    assert client.get(reverse("risk:board")).status_code == 403
    assert client.get(reverse("risk:export")).status_code == 403


def test_the_api_works_a_signal_with_the_same_rules(client, login, world, supervisor, mediator, surge):
    login(supervisor)
    detail = client.get(reverse("api-risk-signal-detail", args=[surge.pk])).json()
    assert detail["explanation"].startswith("测试镇 劳动争议 近7日 7 件") and len(detail["cases"]) == 7
    assert (
        client.post(reverse("api-risk-signal-acknowledge", args=[surge.pk])).json()["state"] == "acknowledged"
    )
    bad = client.post(
        reverse("api-risk-signal-conference", args=[surge.pk]), {"case": 0, "held_at": "x"}, content_type=JSON
    )
    assert bad.status_code == 400 and "error" in bad.json()
    case_id = surge.signal_cases.first().case_id
    body = {
        "case": case_id,
        "held_at": timezone.now().isoformat(),
        "participants": "人社局",
        "decisions": "约谈",
        "tasks": [
            {
                "title": "核实名单",
                "owner": mediator.pk,
                "due_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
            }
        ],
    }
    made = client.post(reverse("api-risk-signal-conference", args=[surge.pk]), body, content_type=JSON)
    assert made.status_code == 201 and made.json()["tasks"][0]["owner"] == "mediator"
    assert client.get(reverse("api-risk-signal-list"), {"state": "nope"}).status_code == 400


def test_the_board_runs_a_fixed_number_of_queries(
    client, login, world, supervisor, django_assert_max_num_queries
):
    now = timezone.now()
    plant(world.town, "labour", weekly(now, {0: 6}))
    detect_risks(now=now)
    login(supervisor)
    client.get(reverse("risk:board"))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("risk:board"))
    for code in ("consumer", "medical", "traffic", "property"):
        plant(world.village, code, weekly(now, {0: 6}))
    detect_risks(now=now)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("risk:board")).status_code == 200
    assert RiskSignal.objects.count() == 5


def test_the_export_is_an_excel_workbook(client, login, supervisor, surge):
    from io import BytesIO

    from openpyxl import load_workbook

    login(supervisor)
    response = client.get(reverse("risk:export"))
    book = load_workbook(BytesIO(response.content))
    rows = list(book["风险信号"].iter_rows(values_only=True))
    assert rows[1][2] == surge.title and "近7日 7 件" in rows[1][3]
    assert book.sheetnames == ["风险信号", "热力网格", "重点被申请人", "群体性事件苗头"]


def test_the_board_speaks_english_when_asked(client, login, supervisor, surge):
    from django.utils import translation

    login(supervisor)
    try:
        client.post("/i18n/setlang/", {"language": "en", "next": "/risk/"})
        page = client.get(reverse("risk:board")).content.decode()
    finally:
        translation.activate("zh-hans")  # the request left English active in this thread
    assert "Risk analysis" in page and "Open risk signals" in page
    assert "测试镇 Labour (incl. unpaid wages): 7 cases in the last 7 days" in page
