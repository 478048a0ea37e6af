"""Issue 15 items 5 and 9 in a real browser: the queue filters in place (htmx) and keeps the filter in the
URL, is a card list on a phone with its 认领 button in reach; a supervisor assigns several cases at once."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cases.models import Case, WarningLevel
from routing import services
from routing.models import CaseAssignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[2] / "test-output" / "lists"


@pytest.fixture
def queued(make_case, clerk):
    """Three cases in the specialist channel's queue: red and due tomorrow, none, blue and overdue."""
    now = timezone.now()
    cases = [services.route_case(make_case(), actor=clerk) for _ in range(3)]
    specs = [
        (WarningLevel.RED, now + timedelta(days=1, hours=2)),
        (WarningLevel.NONE, None),
        (1, now - timedelta(days=2)),
    ]
    for case, (level, due) in zip(cases, specs, strict=True):
        Case.objects.filter(pk=case.pk).update(warning_level=level, due_at=due)
    return cases


def _no_horizontal_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1366, 375])
def test_queue_filters_in_place_and_claims_on_a_phone(browser, live_server, sign_in, mediator, queued, width):
    OUT.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": width, "height": 900 if width > 400 else 812},
        is_mobile=width < 400,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    red, none, blue = queued
    sign_in(page, "mediator")
    page.goto(f"{live_server.url}/routing/queue/?tab=channel")
    rows = page.locator("[data-testid=queue] tbody tr[data-case]")
    assert rows.count() == 3
    # most urgent first, with the time left in its colour
    assert rows.nth(0).get_attribute("data-case") == str(red.pk)
    assert "剩 1 天" in rows.nth(0).locator(".remaining").inner_text()
    page.screenshot(path=str(OUT / f"queue-{width}.png"), full_page=True)

    page.evaluate("window.__notReloaded = true")
    with page.expect_response(lambda r: "warning_level=4" in r.url):
        page.select_option("#id_warning_level", "4")
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=queue] tbody tr[data-case]').length === 1"
    )
    assert page.evaluate("window.__notReloaded === true")  # the list changed, the page did not reload
    assert "warning_level=4" in page.url and "tab=channel" in page.url
    page.screenshot(path=str(OUT / f"queue-filtered-{width}.png"), full_page=True)

    page.reload()  # the filter is in the URL: a reload (or a shared link) shows the same list
    assert page.locator("#id_warning_level").input_value() == "4"
    assert page.locator("[data-testid=queue] tbody tr[data-case]").count() == 1

    claim = page.locator(f"[data-testid=claim-{red.pk}]")
    assert claim.is_visible()
    box = claim.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    _no_horizontal_scroll(page, width)
    page.evaluate("window.__notReloaded = true")
    claim.click()  # in place: the row says so, the list stays (routing's actions in place)
    page.locator(f"[data-testid=claimed-{red.pk}]").wait_for()
    assert "认领成功。" in page.locator(f"[data-testid=claimed-{red.pk}]").inner_text()
    assert page.evaluate("window.__notReloaded === true")
    assert page.url.startswith(f"{live_server.url}/routing/queue/")
    assert CaseAssignment.objects.get(case=red).mediator == mediator
    context.close()


def _bulk_assign(browser, live_server, sign_in, mediator, width, picked):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": width, "height": 900}, is_mobile=width < 400
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, "supervisor")
    if width > 400:
        page.click("[data-nav='routing:assign_queue']")
    else:
        page.goto(f"{live_server.url}/routing/queue/unassigned/")
    page.wait_for_url(f"{live_server.url}/routing/queue/unassigned/")
    for case in picked:
        page.check(f"[data-testid=pick-{case.pk}]")
    page.select_option("#id_mediator", label=str(mediator))
    page.fill("#id_reason", "均衡工作量")
    _no_horizontal_scroll(page, width)
    page.screenshot(path=str(OUT / f"bulk-assign-{width}.png"), full_page=True)
    page.click("[data-testid=bulk-assign-submit]")
    page.locator("[data-testid=bulk-summary]").wait_for()  # answered in place, above the list
    messages = page.locator("#bulk-result").inner_text()
    assert all(f"{case.number}：已指派" in messages for case in picked)
    page.screenshot(path=str(OUT / f"bulk-assigned-{width}.png"), full_page=True)
    for case in picked:
        assert CaseAssignment.objects.get(case=case, ended_at__isnull=True).mediator == mediator
        assert case.events.filter(type="assigned").count() == 1
        assert page.locator(f"tr[data-case='{case.pk}']").count() == 0  # assigned cases left the queue
    _no_horizontal_scroll(page, width)
    context.close()


def test_supervisor_assigns_several_cases_at_once(
    browser, live_server, sign_in, supervisor, mediator, queued
):
    red, none, blue = queued
    _bulk_assign(browser, live_server, sign_in, mediator, 1366, [red, blue])
    assert not CaseAssignment.objects.filter(case=none).exists()
    _bulk_assign(browser, live_server, sign_in, mediator, 375, [none])
