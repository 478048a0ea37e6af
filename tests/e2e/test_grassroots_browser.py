"""A grid worker at 375 px: a quick record with a photo, then a dispute reported up while the network is
down, which is kept in the browser and sent when it returns, and lands in the town's intake list."""

from pathlib import Path

import pytest

from accounts.models import Membership
from cases.models import Case, Status
from grassroots.models import Entry, GridArea
from tests.conftest import _persona
from tests.grassroots.conftest import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUT = Path(__file__).resolve().parents[2] / "test-output"


def _fill_dispute(page, summary):
    page.select_option("#id_dispute_type", label="邻里")
    page.fill("#id_summary", summary)
    page.fill("#id_place", "东村三组")
    page.fill("#id_party1_name", "王五")
    page.fill("#id_party1_phone", "13800138001")
    page.fill("#id_party2_name", "赵六")


def test_quick_record_with_photo_and_offline_report_at_375px(
    phone_page, browser, live_server, world, sign_in
):
    OUT.mkdir(exist_ok=True)
    worker = _persona(world, "grid_worker", Membership.Role.GRID_WORKER, center=world.village)
    GridArea.objects.create(center=world.village, name="第一网格").workers.add(worker)
    _persona(world, "town_clerk", Membership.Role.CLERK, center=world.town)
    page = phone_page
    sign_in(page, "grid_worker")
    page.goto(f"{live_server.url}/grassroots/new/")
    assert page.locator("[data-field='agreement']").is_visible()
    _fill_dispute(page, "两户因排水沟堵塞争吵")
    page.fill("#id_agreement", "赵六当天疏通水沟")
    page.set_input_files("#id_photos", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}])
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(OUT / "grassroots-quick-record-375.png"), full_page=True)
    page.click("#entry-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/grassroots/mine/")
    case = Case.objects.get()
    assert case.status == Status.CLOSED and case.attachments.count() == 1
    assert case.number in page.content() and "已安排回访" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(OUT / "grassroots-mine-375.png"), full_page=True)

    # A dispute that cannot be settled, sent while offline: kept, then sent when the network returns.
    page.goto(f"{live_server.url}/grassroots/new/")
    page.check("input[name=what][value=report]")
    assert not page.locator("[data-field='agreement']").is_visible()
    _fill_dispute(page, "工地拖欠十二名工人工资")
    page.select_option("#id_to_center", str(world.town.pk))
    page.context.set_offline(True)
    page.click("#entry-form button[type=submit]")
    status = page.locator("#offline-status")
    status.wait_for(state="visible")
    assert "联网后自动提交" in status.inner_text()
    assert Entry.objects.filter(kind=Entry.Kind.REPORT).count() == 0
    page.screenshot(path=str(OUT / "grassroots-offline-375.png"), full_page=True)
    page.context.set_offline(False)
    page.wait_for_url(f"{live_server.url}/grassroots/mine/")
    report = Entry.objects.get(kind=Entry.Kind.REPORT).case
    assert report.status == Status.SUBMITTED and report.center == world.town

    # It is in the town's intake list.
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True)
    clerk_page = context.new_page()
    sign_in(clerk_page, "town_clerk")
    clerk_page.goto(f"{live_server.url}/cases/intake/")
    assert report.number in clerk_page.content()
    assert clerk_page.evaluate("document.documentElement.scrollWidth") <= 375
    clerk_page.screenshot(path=str(OUT / "grassroots-town-intake-375.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("width", [1366, 375])
def test_supervisor_sees_where_disputes_end_and_clicks_through(browser, live_server, world, sign_in, width):
    from grassroots.services import RiskData, record_quick, report_risk
    from tests.grassroots.conftest import quick_data

    OUT.mkdir(exist_ok=True)
    worker = _persona(world, "grid_worker", Membership.Role.GRID_WORKER, center=world.village)
    _persona(world, "town_supervisor", Membership.Role.SUPERVISOR, center=world.town)
    case = record_quick(actor=worker, center=world.village, data=quick_data(), agreement="和解").case
    report_risk(
        actor=worker, center=world.village, data=RiskData(summary="工地欠薪隐患", place="工业园", level=3)
    )
    context = browser.new_context(
        locale="zh-CN", viewport={"width": width, "height": 900}, is_mobile=width < 400
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, "town_supervisor")
    def go(name, path):
        # At 375 px the sidebar is behind the menu button; at 1366 px click it and wait for the page.
        if width > 400:
            page.click(f"[data-nav='{name}']")
            page.wait_for_url(f"**{path}")
        else:
            page.goto(f"{live_server.url}{path}")

    go("grassroots:resolution", "/grassroots/resolution/")
    assert page.locator("#rate-village").inner_text() == "100.0%"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(OUT / f"grassroots-resolution-{width}.png"), full_page=True)
    page.click("a[data-bucket='on_spot']")
    page.wait_for_url("**/grassroots/resolution/cases/**")
    page.wait_for_load_state()
    assert case.number in page.content()
    go("grassroots:risk_list", "/grassroots/risks/")
    assert "工地欠薪隐患" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(OUT / f"grassroots-risks-{width}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("width", [1366, 375])
def test_overdue_rounds_panel_on_the_warnings_dashboard(browser, live_server, world, sign_in, width):
    from datetime import timedelta

    from django.utils import timezone

    from grassroots.models import ScreeningRound
    from grassroots.services import schedule_round

    OUT.mkdir(exist_ok=True)
    supervisor = _persona(world, "supervisor", Membership.Role.SUPERVISOR, center=world.county)
    round_ = schedule_round(
        actor=supervisor,
        center=world.county,
        title="春节前欠薪专项排查",
        kind="topic",
        due_on=timezone.localdate(),
        checklist="在建工地工资发放",
        assignees=[world.town, world.village],
    )
    ScreeningRound.objects.filter(pk=round_.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    context = browser.new_context(
        locale="zh-CN", viewport={"width": width, "height": 900}, is_mobile=width < 400
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, "supervisor")
    page.goto(f"{live_server.url}/cases/warnings/")
    panel = page.locator("[data-testid='panel-overdue-rounds']")
    assert panel.locator("[data-testid='overdue-round']").count() == 1
    assert "超期 2 天" in panel.inner_text() and world.town.name in panel.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(OUT / f"grassroots-dashboard-rounds-{width}.png"))
    panel.locator("a", has_text="春节前欠薪专项排查").click()
    page.wait_for_url(f"**/grassroots/rounds/{round_.pk}/")
    context.close()
