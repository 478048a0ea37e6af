import pytest
from django.urls import reverse
from django.utils import timezone

from cases.core.models import Case, DisputeType
from cases.core.states import Status
from grassroots.models import LatentRisk
from grassroots.services import RiskData, record_quick, report_risk

from .conftest import photo, quick_data

pytestmark = pytest.mark.django_db


def _post_quick(client, **extra):
    data = {
        "what": "quick_record",
        "dispute_type": DisputeType.objects.get(code="neighbour").pk,
        "summary": "两户因鸡鸭进菜地争吵",
        "place": "东村二组",
        "party1_name": "钱七",
        "party1_phone": "13800138003",
        "party2_name": "孙八",
        "agreement": "孙八赔偿菜苗五十元",
        "client_token": "t-1",
        "photos": [photo()],
    }
    data.update(extra)
    return client.post(reverse("grassroots:entry_new"), data)


def test_grid_worker_records_from_the_phone_form(login, grid_worker):
    client = login(grid_worker)
    page = client.get(reverse("grassroots:entry_new"))
    assert page.status_code == 200 and "当场达成的协议" in page.content.decode()
    response = _post_quick(client)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == Status.CLOSED and case.attachments.count() == 1
    mine = client.get(reverse("grassroots:mine")).content.decode()
    assert case.number in mine and "已结案" in mine
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200


def test_bad_input_answers_400_with_a_message(login, grid_worker):
    client = login(grid_worker)
    response = _post_quick(client, agreement="", party1_phone="123")
    body = response.content.decode()
    assert response.status_code == 400 and "须填写当场达成的协议" in body and "11 位手机号" in body
    assert not Case.objects.exists()


def test_the_phone_form_is_closed_to_others(login, clerk, outsider, supervisor):
    for user in (clerk, outsider, supervisor):
        assert login(user).get(reverse("grassroots:entry_new")).status_code == 403


def test_risk_pages_allowed_read_only_and_outsider(
    login, world, grid_worker, town_supervisor, village_clerk, outsider
):
    risk = report_risk(
        actor=grid_worker, center=world.village, data=RiskData(summary="欠薪隐患", place="工地")
    )
    url = reverse("grassroots:risk_detail", args=[risk.pk])
    page = login(town_supervisor).get(url).content.decode()
    assert "欠薪隐患" in page and "销号" in page
    response = login(town_supervisor).post(url, {"conclusion": "已协调发放"})
    assert response.status_code == 302
    assert LatentRisk.objects.get().status == LatentRisk.Status.CLOSED
    read_only = login(village_clerk)
    assert read_only.get(url).status_code == 200
    assert read_only.post(url, {"conclusion": "x"}).status_code == 403
    assert login(outsider).get(url).status_code == 404
    assert "欠薪隐患" not in login(outsider).get(reverse("grassroots:risk_list")).content.decode()


def test_grid_worker_cannot_open_other_peoples_quick_records(login, world, grid_worker, other_grid_worker):
    theirs = record_quick(
        actor=other_grid_worker, center=world.village, data=quick_data(), agreement="和解"
    ).case
    assert login(grid_worker).get(reverse("cases:detail", args=[theirs.pk])).status_code == 404


def test_resolution_figures_page_export_and_click_through(
    login, world, grid_worker, town_supervisor, outsider
):
    case = record_quick(actor=grid_worker, center=world.village, data=quick_data(), agreement="和解").case
    client = login(town_supervisor)
    page = client.get(reverse("grassroots:resolution"))
    body = page.content.decode()
    assert page.status_code == 200 and "小事不出村" in body and "100.0%" in body
    listing = client.get(
        reverse("grassroots:resolution_cases"), {"bucket": "on_spot", "center": world.town.pk}
    )
    assert case.number in listing.content.decode()
    export = client.get(reverse("grassroots:resolution_export"))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = client.get(reverse("grassroots:resolution"), {"start": "2026-13-01"})
    assert bad.status_code == 400 and "日期" in bad.content.decode()
    reversed_period = client.get(
        reverse("grassroots:resolution"), {"start": "2026-05-01", "end": "2026-01-01"}
    )
    assert reversed_period.status_code == 400
    assert login(outsider).get(reverse("grassroots:resolution")).status_code == 403


def test_rounds_pages(login, world, town_supervisor, village_clerk, outsider):
    client = login(town_supervisor)
    due = (timezone.localdate()).isoformat()
    response = client.post(
        reverse("grassroots:round_new"),
        {
            "title": "节前排查",
            "kind": "holiday",
            "due_on": due,
            "checklist": "欠薪\n邻里",
            "assignees": [world.village.pk],
        },
    )
    assert response.status_code == 302
    url = response["Location"]
    page = login(village_clerk).get(url)
    assert page.status_code == 200 and "节前排查" in page.content.decode()
    task = page.context["rows"][0][0]
    assert login(village_clerk).post(url, {"task": task.pk, "findings": "", "note": "无"}).status_code == 302
    assert login(outsider).get(url).status_code == 404


def test_supervisor_changes_a_risk_level_with_a_reason(login, world, grid_worker, town_supervisor):
    risk = report_risk(
        actor=grid_worker, center=world.village, data=RiskData(summary="欠薪隐患", place="工地")
    )
    url = reverse("grassroots:risk_detail", args=[risk.pk])
    client = login(town_supervisor)
    same = client.post(url, {"action": "level", "level": 1, "reason": "无变化"})
    assert same.status_code == 400 and "等级没有变化" in same.content.decode()
    assert client.post(url, {"action": "level", "level": 4, "reason": "包工头失联"}).status_code == 302
    risk.refresh_from_db()
    assert risk.level == 4
    assert list(risk.events.values_list("type", flat=True)) == ["reported", "level_changed"]
    assert "调整隐患等级" in client.get(url).content.decode()


def test_lists_run_a_fixed_number_of_queries(login, world, grid_worker, town_supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages = [
        (grid_worker, reverse("grassroots:mine")),
        (town_supervisor, reverse("grassroots:risk_list")),
        (town_supervisor, reverse("grassroots:round_list")),
        (town_supervisor, reverse("grassroots:resolution")),
    ]

    def counts():
        found = []
        for user, url in pages:
            client = login(user)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            found.append(len(ctx.captured_queries))
        return found

    def add(n):
        for i in range(n):
            record_quick(actor=grid_worker, center=world.village, data=quick_data(), agreement="和解")
            report_risk(
                actor=grid_worker, center=world.village, data=RiskData(summary=f"隐患{i}", place="工地")
            )

    add(1)
    counts()  # the first visit also fills the session and the badge cache
    few = counts()
    add(5)
    assert counts() == few  # the same queries with six rows as with one
