"""The supervisor dashboard, its Excel export and API: same figures, right scope, fixed query count."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import Case, DisputeType, Status, WarningLevel
from cases.warnings.selectors import Period, dashboard_figures
from cases.warnings.services import issue_supervision_order
from cases.warnings.sweep import on_case_changed, sweep_due_cases
from tests.cases.warnings_support import START, local

pytestmark = pytest.mark.django_db
L = WarningLevel
NOW = local(2026, 3, 18, 10)


@pytest.fixture
def scene(make_case, world, supervisor):
    """Two overdue labour cases in the county, a quiet one in the town, one in another county."""
    with time_machine.travel(START, tick=False):
        red_a = make_case()
        red_b = make_case(people_count=12)
        quiet = make_case(center=world.town, dispute_type=DisputeType.objects.get(code="family"))
        foreign = make_case(center=world.other_county)
        red_a.channel = world.channels["specialist"]
        red_a.save(update_fields=["channel"])
        issue_supervision_order(
            red_a,
            actor=supervisor,
            channel=red_a.channel,
            instructions="跟进",
            deadline=START + dt.timedelta(days=1),
        )
    with time_machine.travel(local(2026, 3, 17, 12), tick=False):
        # resolved yesterday, with money covered
        done = make_case(center=world.town)
        Case.objects.filter(pk=done.pk).update(
            status=Status.CONCLUDED,
            outcome="written_agreement",
            concluded_at=local(2026, 3, 17, 15),
            money_covered=Decimal("36000.00"),
        )
        done.refresh_from_db()
        on_case_changed(done, trigger="concluded")
    with time_machine.travel(NOW, tick=False):
        sweep_due_cases()
    return {"red_a": red_a, "red_b": red_b, "quiet": quiet, "foreign": foreign, "done": done}


def test_figures_cover_the_supervisors_center_and_below(scene, supervisor):
    with time_machine.travel(NOW, tick=False):
        f = dashboard_figures(supervisor, Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    red_row = next(r for r in f["by_channel"]["rows"] if r["level"] == L.RED)
    assert red_row["total"] == 2  # the foreign county's overdue case is not counted
    by_center = {r["center"]: r["total"] for r in f["by_center"]}
    assert by_center == {"测试县矛调中心": 2, "测试镇矛调中心": 2}  # a concluded case is open until closed
    assert {c.pk for c in f["red_orange"]} == {scene["red_a"].pk, scene["red_b"].pk}
    assert {c.pk for c in f["overdue_cases"]} == {scene["red_a"].pk, scene["red_b"].pk}
    assert [o.case_id for o in f["overdue_orders"]] == [scene["red_a"].pk]
    assert {c.case_id for c in f["newly_escalated"]} >= {scene["red_a"].pk, scene["red_b"].pk}
    assert f["money_covered"] == Decimal("36000.00")
    on_time = next(m for m in f["measures"] if m["key"] == "on_time_rate")
    assert (on_time["numerator"], on_time["denominator"], on_time["value"]) == (1, 1, 100.0)
    day = next(d for d in f["series"] if d["day"] == dt.date(2026, 3, 17))
    assert (day["registered"], day["resolved"]) == (1, 1)


def test_dashboard_page_shows_the_figures(scene, supervisor, login, django_assert_max_num_queries):
    client = login(supervisor)
    with time_machine.travel(NOW, tick=False):
        # 30 + the apps' sidebar badges (WORK_COUNT_PROVIDERS) + the apps' panels (DASHBOARD_PANELS: grassroots'
        # overdue rounds, at most 3)
        with django_assert_max_num_queries(36):
            html = client.get(reverse("cases:warnings_dashboard")).content.decode()
    assert "预警看板" in html and scene["red_a"].number in html and scene["foreign"].number not in html
    assert 'id="chart-levels"' in html and 'id="chart-days"' in html and "dashboard-data" in html  # ECharts
    assert "36000.00" in html and "待接入" not in html  # every figure is connected


def test_dashboard_queries_do_not_grow_with_the_number_of_cases(scene, make_case, supervisor, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(supervisor)
    with time_machine.travel(NOW, tick=False):
        client.get(reverse("cases:warnings_dashboard"))  # fills the reference-data cache (the calendar)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as before:
        client.get(reverse("cases:warnings_dashboard"))
    with time_machine.travel(START, tick=False):
        for _ in range(6):
            make_case(risk_violence=True)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as after:
        client.get(reverse("cases:warnings_dashboard"))
    assert len(after.captured_queries) == len(before.captured_queries)


def test_excel_and_api_give_the_same_figures(scene, supervisor, login):
    client = login(supervisor)
    query = {"start": "2026-03-01", "end": "2026-03-31"}
    with time_machine.travel(NOW, tick=False):
        xlsx = client.get(reverse("cases:warnings_export"), query)
        api = client.get(reverse("api-warnings-dashboard"), query).json()
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(xlsx.content))
    measures = {row[0]: row[1] for row in book["考核指标"].iter_rows(values_only=True) if row[0]}
    assert (
        measures["按期办结率"]
        == 100.0
        == next(m for m in api["measures"] if m["key"] == "on_time_rate")["value"]
    )
    assert measures["调解成功率"] == 100.0 == api["measures"][0]["value"]
    assert Decimal(str(measures["协议涉及金额（元）"])) == Decimal(api["money_covered"])
    red_sheet = [row[0] for row in book["红橙预警"].iter_rows(min_row=2, values_only=True)]
    assert red_sheet == [c["number"] for c in api["red_orange"]]


@pytest.mark.parametrize(("persona", "status"), [("supervisor", 200), ("mediator", 403), ("outsider", 403)])
def test_dashboard_access(request, login, persona, status):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("cases:warnings_dashboard")).status_code == status
    assert client.get(reverse("cases:warnings_export")).status_code == status
    assert client.get(reverse("api-warnings-dashboard")).status_code == status


def test_dashboard_is_get_only(login, supervisor):
    client = login(supervisor)
    assert client.post(reverse("cases:warnings_dashboard")).status_code == 405
    assert client.post(reverse("api-warnings-dashboard")).status_code == 405


def test_bad_period_is_refused_in_chinese(login, supervisor):
    body = login(supervisor).get(
        reverse("api-warnings-dashboard"), {"start": "2026-03-10", "end": "2026-03-01"}
    )
    assert body.status_code == 400 and "截止日期不能早于起始日期" in str(body.json())
