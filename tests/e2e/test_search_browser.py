"""Searching from the top bar in a real browser (issue 20): a supervisor types two words into the box of the
top bar, gets ranked, highlighted, masked results, opens a case and sees its similar cases (loaded by htmx) with
the same respondent flagged; at 375 px the search page and the case page have no horizontal scroll.
Screenshots go to test-output/search/."""

from pathlib import Path

import pytest

from accounts.demo import DEMO_PASSWORD, build_demo_org
from cases.demo import build_demo_cases
from cases.models import Case
from search.demo import CONTRACTOR, build_demo_search

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "search"


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/accounts/")


def test_a_supervisor_searches_from_the_top_bar_and_sees_similar_cases(page, phone_page, live_server):
    org = build_demo_org()
    build_demo_cases(org)
    build_demo_search(org)
    supervisor = org["users"]["supervisor"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    _sign_in(page, live_server, supervisor.username)

    page.fill("[data-testid=search-box]", "宏达 拖欠工资")
    page.press("[data-testid=search-box]", "Enter")
    page.wait_for_url("**/cases/search/?q=*")
    hits = page.locator("[data-testid=search-hit]")
    assert hits.count() == 3
    assert page.locator("[data-testid=search-results] mark", has_text="宏达").count() >= 3
    results = page.locator("[data-testid=search-results]").inner_text()
    assert "137****1111" in results and "13700001111" not in results
    page.screenshot(path=str(SHOTS / "results-desktop.png"), full_page=True)

    open_case = Case.objects.get(summary__contains="钢筋工")
    page.click(f"[data-case='{open_case.pk}'] a.fw-semibold")
    page.wait_for_selector("[data-testid=similar-cases]")
    similar = page.locator("[data-testid=similar-case]")
    assert similar.count() >= 2
    first = similar.first.inner_text()
    assert "同一被申请人" in first and "同为劳动争议" in first
    assert CONTRACTOR in page.locator("[data-testid=same-respondent]").inner_text()
    page.locator("#similar-cases").scroll_into_view_if_needed()
    page.locator("#similar-cases").screenshot(path=str(SHOTS / "similar-desktop.png"))

    _sign_in(phone_page, live_server, supervisor.username)
    phone_page.goto(f"{live_server.url}/cases/search/?q=拖欠工资")
    assert phone_page.locator("[data-testid=search-hit]").count() >= 3
    phone_page.screenshot(path=str(SHOTS / "results-phone.png"), full_page=True)
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone_page.goto(f"{live_server.url}/cases/{open_case.pk}/")
    phone_page.wait_for_selector("[data-testid=similar-cases]")
    phone_page.locator("#similar-cases").scroll_into_view_if_needed()
    phone_page.locator("#similar-cases").screenshot(path=str(SHOTS / "similar-phone.png"))
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
