"""The dashboard's ECharts charts render, its figures refresh themselves without a reload (a new red case
appears), a center row opens the filtered case list, and the page has no horizontal scroll on a phone."""

from pathlib import Path

import pytest

from cases.models import WarningLevel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[2] / "test-output"


def _red_total(page) -> int:
    return int(page.locator("[data-testid=level-by-channel] tr[data-level='4'] td").last.inner_text())


def test_a_new_red_case_appears_without_a_reload(page, live_server, make_case, supervisor, sign_in, settings):
    settings.DASHBOARD_REFRESH_SECONDS = 2
    first = make_case(risk_violence=True, summary="工人扬言堵路讨薪")
    assert first.warning_level == WarningLevel.RED
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "supervisor")
    page.goto(f"{live_server.url}/cases/warnings/")
    page.wait_for_selector("#chart-levels canvas")
    page.wait_for_selector("#chart-days canvas")
    assert _red_total(page) == 1
    page.evaluate("window.__notReloaded = true")
    second = make_case(risk_violence=True, summary="业主聚集维权")
    page.wait_for_selector(f"[data-testid=red-orange] >> text={second.number}", timeout=20000)
    assert _red_total(page) == 2
    assert page.evaluate("window.__notReloaded") is True  # the same page, refreshed in place
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "dashboard-live-1366.png"), full_page=True)
    page.click("[data-testid=level-by-center] a")
    page.wait_for_url("**/cases/?center=*")
    assert "open=1" in page.url
    listed = page.locator("main").inner_text()
    assert first.number in listed and second.number in listed
    assert page.locator("[data-testid=linked-filters]").is_visible()
    assert page.locator("[data-testid=case-count]").inner_text() == "共 2 件"  # keyset pages, a count
    page.screenshot(path=str(OUT / "case-list-linked-1366.png"), full_page=True)


def test_the_dashboard_fits_a_phone(phone_page, live_server, make_case, supervisor, sign_in):
    make_case(risk_violence=True, summary="工人扬言堵路讨薪")
    sign_in(phone_page, "supervisor")
    phone_page.goto(f"{live_server.url}/cases/warnings/")
    phone_page.wait_for_selector("#chart-levels canvas")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    OUT.mkdir(exist_ok=True)
    phone_page.screenshot(path=str(OUT / "dashboard-live-375.png"), full_page=True)
    phone_page.goto(f"{live_server.url}/cases/?open=1&lv=4")
    phone_page.wait_for_selector("[data-testid=case-count]")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    phone_page.screenshot(path=str(OUT / "case-list-linked-375.png"), full_page=True)
