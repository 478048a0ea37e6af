"""The case page as a workbench in a real browser (issue 15, item 4): the tabs keep their place in the address
(reload and back keep it), the timeline is beside the tabs on a desktop and a tab on a phone, a lifecycle form
opens in place, shows its errors in place and, saved, the page comes back with its message without a reload;
without JavaScript the same work goes through plain pages. Screenshots go to test-output/case_page/."""

from pathlib import Path

import pytest

from cases.lifecycle.models import MediationSession
from tests.cases.lifecycle_helpers import route

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "case_page"


def _visible_pane(page) -> list[str]:
    return page.evaluate(
        "[...document.querySelectorAll('#case-page [role=tabpanel]')]"
        ".filter(p => p.offsetParent !== null).map(p => p.id)"
    )


def test_tabs_stay_in_the_address_and_a_form_works_in_place(
    page, live_server, sign_in, make_case, world, mediator
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    case = route(make_case(), world.channels["specialist"])
    url = f"{live_server.url}/cases/{case.pk}/"
    sign_in(page, "mediator")
    page.goto(url)
    # On a desktop the timeline is beside the open tab, and its own tab is not offered.
    assert _visible_pane(page) == ["tab-overview", "tab-timeline"]
    assert not page.locator("[data-tab=timeline]").is_visible()

    page.click("[data-tab=parties]")
    page.wait_for_url(f"{url}?tab=parties")
    assert _visible_pane(page) == ["tab-parties", "tab-timeline"]
    page.reload()
    assert _visible_pane(page) == ["tab-parties", "tab-timeline"]  # a reload keeps the tab
    page.click("[data-tab=evidence]")
    page.wait_for_url(f"{url}?tab=evidence")
    page.go_back()
    page.wait_for_url(f"{url}?tab=parties")
    assert _visible_pane(page) == ["tab-parties", "tab-timeline"]  # so does the back button

    page.evaluate("window.__samePage = true")
    page.click("[data-action=record_session]")
    form = page.locator("#form-sessions [data-testid=action-form]")
    form.wait_for()
    assert _visible_pane(page) == ["tab-sessions", "tab-timeline"]  # the form opened in its tab
    # at its first field (once htmx has settled the swapped form)
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_started_at'")
    page.fill("#id_started_at", "2026-03-02T09:30")
    page.fill("#id_place", "村委会二楼")
    form.locator("[data-testid=action-save]").click()  # 调解经过 missing
    error = page.locator("#id_discussion_error")
    error.wait_for()
    assert error.inner_text() == "该字段是必填项。"
    assert page.input_value("#id_place") == "村委会二楼"  # what was typed is still there
    # the field to fix gets the focus (once htmx has settled the swapped form)
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_discussion'")
    page.screenshot(path=str(SHOTS / "form-error-desktop.png"), full_page=True)
    page.fill("#id_discussion", "双方当面陈述，初步达成还款意向。")
    page.locator("#form-sessions [data-testid=action-save]").click()
    message = page.locator("[data-testid=in-place-messages]")
    message.wait_for()
    assert "调解记录已保存。" in message.inner_text()
    assert page.evaluate("window.__samePage") is True  # no reload: the page replaced itself
    assert page.url == f"{url}?tab=sessions"
    assert "双方当面陈述" in page.locator("#sessions").inner_text()
    assert page.locator("#form-sessions [data-testid=action-form]").count() == 0
    assert page.locator("[data-testid=timeline] li").first.get_attribute("data-event") == "session_recorded"
    page.screenshot(path=str(SHOTS / "saved-desktop.png"), full_page=True)

    # 取消 closes a form without a round trip.
    page.click("[data-action=edit_agreement]")
    page.locator("#form-documents [data-testid=action-form]").wait_for()
    page.click("#form-documents [data-form-cancel]")
    assert page.locator("#form-documents [data-testid=action-form]").count() == 0
    assert page.url == f"{url}?tab=documents"


def test_on_a_phone_the_timeline_is_a_tab(phone_page, live_server, sign_in, make_case, world, mediator):
    SHOTS.mkdir(parents=True, exist_ok=True)
    case = route(make_case(), world.channels["specialist"])
    url = f"{live_server.url}/cases/{case.pk}/"
    sign_in(phone_page, "mediator")
    phone_page.goto(url)
    assert _visible_pane(phone_page) == ["tab-overview"]
    phone_page.click("[data-tab=timeline]")
    phone_page.wait_for_url(f"{url}?tab=timeline")
    assert _visible_pane(phone_page) == ["tab-timeline"]
    assert phone_page.locator("[data-testid=timeline] li").first.is_visible()
    phone_page.click("[data-action=record_session]")
    phone_page.locator("#form-sessions [data-testid=action-form]").wait_for()
    assert _visible_pane(phone_page) == ["tab-sessions"]
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone_page.screenshot(path=str(SHOTS / "form-phone.png"), full_page=True)


def test_without_javascript_the_tabs_and_forms_are_plain_pages(
    browser, live_server, sign_in, make_case, world, mediator
):
    context = browser.new_context(
        locale="zh-CN", java_script_enabled=False, viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    try:
        case = route(make_case(), world.channels["specialist"])
        url = f"{live_server.url}/cases/{case.pk}/"
        sign_in(page, "mediator")
        page.goto(url)
        page.click("[data-tab=parties]")
        page.wait_for_url(f"{url}?tab=parties")
        assert _visible_pane(page) == ["tab-parties", "tab-timeline"]
        page.click("[data-action=record_session]")
        page.wait_for_url(f"{url}sessions/new/")
        page.fill("#id_started_at", "2026-03-02T09:30")
        page.fill("#id_discussion", "电话沟通，约定下周面谈。")
        page.click("[data-testid=action-save]")
        page.wait_for_url(f"{url}?tab=sessions")
        assert "调解记录已保存。" in page.locator(".messages").inner_text()
        assert _visible_pane(page) == ["tab-sessions", "tab-timeline"]
        assert MediationSession.objects.filter(case=case, discussion="电话沟通，约定下周面谈。").exists()
    finally:
        context.close()
