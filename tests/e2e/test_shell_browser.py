"""The shell in a real browser: every staff page of each role fits a phone, badges follow the work, and the
idle warning's 继续办理 keeps the session (issue 15). Screenshots go to test-output/shell/."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.navigation import items_for
from cases.core.models import Case
from routing import services as routing
from search.indexer import index_pending

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "shell"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def some_work(make_case, clerk, mediator):
    """A routed labour case claimed by the mediator and urgent, one waiting in the channel, one registered."""
    claimed = routing.route_case(make_case(), actor=clerk)
    routing.claim_case(claimed, actor=mediator)
    routing.route_case(make_case(), actor=clerk)
    make_case()
    Case.objects.filter(pk=claimed.pk).update(warning_level=4, due_at=timezone.now() - dt.timedelta(days=2))
    cache.clear()
    return claimed


@pytest.mark.parametrize("persona", ["clerk", "mediator", "supervisor", "liaison"])
def test_every_staff_page_of_the_role_fits_a_phone(
    request, phone_page, live_server, sign_in, persona, some_work
):
    from django.conf import settings

    user = request.getfixturevalue(persona)
    sign_in(phone_page, user.username)
    pages = [item["url"] for item in items_for(user) if item["url_name"] != "admin:index"]
    pages += [f"/cases/{some_work.pk}/", "/cases/search/?q=张"] if persona != "liaison" else []
    for url in pages:
        if url.startswith("/cases/warnings/") and url.endswith("warnings/") and not settings.IS_POSTGRES:
            continue  # the dashboard's SQL is PostgreSQL's until the dialect seam lands (as test_cache_outage)
        phone_page.goto(f"{live_server.url}{url}")
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (url, width)
    phone_page.goto(f"{live_server.url}/accounts/")
    _shot(phone_page, f"home-{persona}-375")


def test_home_and_case_list_at_both_sizes_and_the_phone_menu(
    page, phone_page, live_server, sign_in, some_work, supervisor
):
    sign_in(page, "supervisor")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/accounts/")
    assert page.locator("[data-testid=search-box]").is_visible()
    assert page.locator("[data-nav='accounts:home']").first.is_visible()  # the sidebar is open on a desktop
    _shot(page, "home-supervisor-1366")
    page.goto(f"{live_server.url}/cases/")
    assert page.locator("table.cases thead").is_visible()
    _shot(page, "case-list-1366")

    sign_in(phone_page, "clerk")
    phone_page.goto(f"{live_server.url}/cases/")
    assert not phone_page.locator("table.cases thead").is_visible()  # rows are cards on a phone
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(phone_page, "case-list-375")
    assert not phone_page.locator("#sidebar [data-nav='cases:intake-register']").is_visible()
    phone_page.click("[data-testid=menu-toggle]")
    phone_page.locator("#sidebar [data-nav='cases:intake-register']").wait_for(state="visible")
    _shot(phone_page, "menu-375")


def test_search_box_finds_a_case_by_party_name(page, live_server, sign_in, some_work, supervisor):
    index_pending()  # names are words: the search index's sweep (within a minute)
    sign_in(page, "supervisor")
    page.fill("[data-testid=search-box]", "李四")
    page.press("[data-testid=search-box]", "Enter")
    page.wait_for_url("**/cases/search/?q=*")
    assert some_work.number in page.locator("table.cases").inner_text()


def test_badges_change_when_work_arrives(page, live_server, sign_in, make_case, clerk, mediator):
    claimed = routing.route_case(make_case(), actor=clerk)
    sign_in(page, "mediator")
    assert page.locator("[data-badge=my_cases]").inner_text() == "0"
    routing.claim_case(claimed, actor=mediator)
    cache.clear()  # instead of waiting out the counts' few seconds
    page.reload()
    assert page.locator("[data-badge=my_cases]").inner_text() == "1"
    assert page.locator("[data-todo-count=my_cases]").inner_text() == "1"


def test_idle_warning_keeps_the_session_alive(page, live_server, sign_in, settings, clerk):
    settings.SESSION_IDLE_TIMEOUT = 6  # warns at 3 s (half the timeout when it is under two minutes)
    sign_in(page, "clerk")
    page.goto(f"{live_server.url}/cases/")
    warning = page.locator("[data-testid=idle-warning]")
    warning.wait_for(state="visible", timeout=8000)
    _shot(page, "idle-warning-1366")
    page.click("[data-testid=keep-alive]")
    warning.wait_for(state="hidden")
    page.wait_for_timeout(4000)  # past the first deadline: without the keep-alive this would sign out
    page.goto(f"{live_server.url}/cases/")
    assert "/accounts/login/" not in page.url
