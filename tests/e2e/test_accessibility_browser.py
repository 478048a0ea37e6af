"""Keyboard, labels and contrast on the main staff pages, in a real browser (issue 15, item 10): the Tab key
reaches every visible control and the page's primary action, with a visible focus and no positive tabindex;
every input has its label (a radio's or checkbox's label beside its button); visible text meets WCAG AA
contrast against its rendered background (tests/e2e/a11y.py computes it in the page)."""

import pytest
from django.conf import settings
from django.core.cache import cache

from accounts.navigation import items_for
from routing import services as routing
from tests.cases.lifecycle_helpers import session
from tests.e2e.a11y import CONTRAST_JS, LABELS_JS, UNREACHED_JS, tab_through

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def work(make_case, clerk, mediator):
    """A case in mediation (claimed, one session on record), one waiting in the channel, one registered."""
    claimed = routing.route_case(make_case(), actor=clerk)
    routing.claim_case(claimed, actor=mediator)
    session(claimed, mediator)
    routing.route_case(make_case(), actor=clerk)
    make_case()
    cache.clear()
    return claimed


def _pages(user, case) -> list[str]:
    pages = [item["url"] for item in items_for(user) if item["url_name"] != "admin:index"]
    if not settings.IS_POSTGRES:  # the dashboard's SQL is PostgreSQL's until the dialect seam lands
        pages = [u for u in pages if not (u.startswith("/cases/warnings/") and u.endswith("warnings/"))]
    # A sidebar entry may be a section of another page (/accounts/#todo-…): each page once.
    return list(dict.fromkeys(url.split("#")[0] for url in pages)) + [f"/cases/{case.pk}/"]


def _problems(page, url: str) -> list:
    """What fails on the page as shown: labels, contrast, the focus the Tab key shows, controls it misses."""
    # Colours are read at rest: the pointer off the controls, no transition half-way (a button just clicked).
    page.mouse.move(0, 0)
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    problems = [(url, "label", p) for p in page.evaluate(LABELS_JS)]
    contrast = page.evaluate(CONTRAST_JS)
    assert contrast["checked"] > 5, url  # the page's text was found
    problems += [(url, "contrast", f) for f in contrast["failures"]]
    reached = tab_through(page)
    problems += [(url, "focus not visible", r["html"]) for r in reached if not r["visible"]]
    problems += [(url, "not reached by Tab", html) for html in page.evaluate(UNREACHED_JS)]
    return problems


@pytest.mark.parametrize("persona", ["clerk", "mediator", "supervisor", "liaison"])
def test_main_staff_pages_by_keyboard_with_labels_and_contrast(
    request, page, live_server, sign_in, persona, work
):
    page.set_viewport_size({"width": 1366, "height": 900})
    user = request.getfixturevalue(persona)
    sign_in(page, user.username)
    problems = []
    for url in _pages(user, work) if persona != "liaison" else _pages(user, work)[:-1]:
        page.goto(f"{live_server.url}{url}")
        problems += _problems(page, url)
    assert problems == []


def _keys(reached) -> list[str]:
    return [r["key"] for r in reached]


def test_the_case_page_every_tab_by_keyboard(page, phone_page, live_server, sign_in, work, mediator):
    sign_in(page, "mediator")
    page.set_viewport_size({"width": 1366, "height": 900})
    url = f"{live_server.url}/cases/{work.pk}/"
    page.goto(url)
    reached = tab_through(page)
    keys = _keys(reached)
    # The next action comes before the other actions and before the tabs' content.
    assert "edit_agreement" in keys and keys.index("edit_agreement") < keys.index("record_session")
    assert keys.index("record_session") < keys.index("overview")
    # The tab list is one stop in the Tab order; the arrow keys move between its tabs and open them.
    assert "parties" not in keys
    page.focus("[data-tab=overview]")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.tab") == "parties"
    page.wait_for_url(f"{url}?tab=parties")
    problems = []
    for tab in ["overview", "parties", "sessions", "documents", "evidence", "conversation", "warnings"]:
        page.goto(f"{url}?tab={tab}")
        problems += _problems(page, f"{url}?tab={tab}")
    # An action's form opened in place: its fields are labelled and reached, its 保存 comes after them.
    page.click("[data-action=record_session]")
    page.locator("#form-sessions [data-testid=action-form]").wait_for()
    problems += _problems(page, "record_session form")
    assert "action-save" in _keys(tab_through(page))
    assert problems == []

    sign_in(phone_page, "mediator")
    phone_page.goto(f"{url}?tab=timeline")
    assert _problems(phone_page, "timeline at 375 px") == []


def test_the_counter_form_by_keyboard(page, live_server, sign_in, clerk, work):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "clerk")
    page.goto(f"{live_server.url}/cases/intake/new/")
    keys = _keys(tab_through(page))
    assert keys.index("id_parties-0-name") < keys.index("save")  # the fields, then 保存登记
    assert "check" in keys  # 查重 too
