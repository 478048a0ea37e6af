"""A supervisor opens 研判预警 from the sidebar: the signals by level, the heat grid and trends drawn by
ECharts, clicks a grid cell through to its cases, then acknowledges the signal; at 1366 px and 375 px."""

from pathlib import Path

import pytest
from django.utils import timezone

from risk.models import RiskSignal
from risk.services import detect_risks
from tests.risk.helpers import plant, weekly

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUT = Path(__file__).resolve().parents[2] / "test-output" / "risk"


@pytest.fixture
def surge(world):
    now = timezone.now()
    plant(world.town, "labour", weekly(now, {**{w: 1 for w in range(5, 16)}, 0: 8}))
    plant(world.village, "neighbour", weekly(now, {w: 1 for w in range(0, 16)}))
    plant(world.town, "requisition", weekly(now, {0: 3}), is_group=True)
    detect_risks(now=now)
    return RiskSignal.objects.get(kind="cell")


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_board_at_desktop_width(page, live_server, supervisor, surge, sign_in):
    OUT.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "supervisor")
    badge = page.locator("[data-nav='risk:board'] [data-badge=risk_signals_open]")
    assert badge.inner_text() == str(RiskSignal.objects.exclude(state="closed").count())
    page.click("[data-nav='risk:board']")
    assert page.locator("h1").inner_text() == "研判预警"
    assert "测试镇 劳动争议 近7日 8 件" in page.locator(f"[data-testid=signal-{surge.pk}]").inner_text()
    page.wait_for_selector("#risk-heat canvas")
    page.wait_for_selector(".risk-trend canvas")
    page.screenshot(path=str(OUT / "board-1366.png"), full_page=True)
    assert _no_horizontal_scroll(page)
    # The grid's cell for 测试镇 × 劳动争议 leads to its cases (table form, same link as the canvas).
    page.click("[data-testid=heat-table] >> xpath=ancestor::details/summary")
    page.click("[data-testid=heat-table] tr:has-text('劳动争议') a")
    assert "劳动争议" in page.locator("[data-testid=heading]").inner_text()
    assert page.locator("table.cases tbody tr").count() == 8
    page.go_back()
    page.click(f"[data-testid=signal-{surge.pk}] a")
    page.click("[data-testid=acknowledge]")
    page.wait_for_selector("text=已签收。")
    assert page.locator("[data-testid=signal-state]").inner_text() == "已签收"
    assert "签收" in page.locator("[data-testid=timeline]").inner_text()
    page.screenshot(path=str(OUT / "signal-1366.png"), full_page=True)


def test_the_board_on_a_phone(phone_page, live_server, supervisor, surge, sign_in):
    OUT.mkdir(parents=True, exist_ok=True)
    page = phone_page
    sign_in(page, "supervisor")
    page.goto(f"{live_server.url}/risk/")
    page.wait_for_selector("#risk-heat canvas")
    page.screenshot(path=str(OUT / "board-375.png"), full_page=True)
    assert _no_horizontal_scroll(page)
    page.goto(f"{live_server.url}/risk/signals/{surge.pk}/")
    page.screenshot(path=str(OUT / "signal-375.png"), full_page=True)
    assert _no_horizontal_scroll(page)
