"""The administrator's screens in a real browser: the index by task, a routing rule ticked from lists,
the thresholds with their whole values and units (screenshots at 1366 and 375 px)."""

from pathlib import Path

import pytest

from cases.warnings.seed import seed_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "citizen"


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_admin_index_rule_form_and_thresholds(page, phone_page, sign_in, live_server, admin_user, world):
    seed_settings()
    sign_in(page, "admin")
    base = live_server.url
    page.goto(f"{base}/admin/")
    captions = page.locator("#content-main [data-testid=admin-group] caption").all_inner_texts()
    assert [c.strip() for c in captions[:5]] == ["机构与人员", "分流规则", "期限与日历", "预警阈值", "预约与服务"]
    assert page.locator("#content-main [data-testid=model-help]").count() >= 30
    shoot(page, "admin-index-1366")

    page.goto(f"{base}/admin/routing/routingrule/add/")
    page.check("input[name=sources][value=grid]")
    page.check("input[name=department_codes][value=hrss]")
    assert "勾选适用的来源" in page.locator(".field-sources").inner_text()
    shoot(page, "admin-rule-1366")

    page.goto(f"{base}/admin/cases/warningsetting/")
    red = page.locator("tr:has-text('涉及金额（元）达到该数为红色') input[type=number]")
    assert red.input_value() == "1000000"
    assert red.evaluate("el => el.scrollWidth <= el.clientWidth")  # the whole value is visible
    shoot(page, "admin-thresholds-1366")

    sign_in(phone_page, "admin")
    phone_page.goto(f"{base}/admin/routing/routingrule/add/")
    shoot(phone_page, "admin-rule-375")
