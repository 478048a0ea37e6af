"""The case page as a workbench, in a real browser: a mediator opens a demo case at desktop and phone sizes,
sees the step bar and the countdown, reveals a party's phone with a reason, the tel: link appears and the
security audit row exists; no horizontal scroll at 375 px. Screenshots go to test-output/workbench/."""

from pathlib import Path

import pytest

from accounts.demo import DEMO_PASSWORD, build_demo_org
from accounts.models import SecurityAuditEvent
from cases.demo import build_demo_cases
from cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "workbench"


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/accounts/")


def test_a_mediator_reveals_a_phone_on_the_case_page(page, phone_page, live_server):
    # One test for both sizes: the demo data is built once (a transactional test empties the seeded tables).
    page.set_viewport_size({"width": 1366, "height": 900})
    org = build_demo_org()
    build_demo_cases(org)
    case = Case.objects.get(summary="装修公司拖欠 3 名工人工资。")
    mediator = org["users"]["mediator"]
    party = case.parties.get(name="吴工")
    SHOTS.mkdir(parents=True, exist_ok=True)
    _reveal_at(page, "desktop", live_server, case, mediator, party, reveals=1)
    _reveal_at(phone_page, "phone", live_server, case, mediator, party, reveals=2)


def _reveal_at(page, size, live_server, case, mediator, party, *, reveals):

    _sign_in(page, live_server, mediator.username)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    steps = page.locator("[data-testid=steps] li")
    assert steps.count() == 8
    assert page.locator("[data-step=resolve]").get_attribute("data-state") == "current"
    assert page.locator("[data-step=accept]").get_attribute("data-state") == "done"
    assert page.locator("[data-step=route]").get_attribute("data-state") == "done"
    assert page.locator("[data-testid=countdown]").inner_text().count("剩") == 1
    first_action = page.locator("[data-testid=actions] a").first
    assert (
        first_action.get_attribute("data-action") == "edit_agreement"
    )  # a session is recorded: next, the agreement
    assert "13800138000" not in page.content()
    page.screenshot(path=str(SHOTS / f"case-{size}.png"), full_page=True)
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.click("[data-tab=parties]")  # the parties' cards are in their own tab
    card = page.locator(f"[data-party='{party.pk}']")
    card.locator("summary").click()
    card.locator(f"#id_reveal_{party.pk}_field_phone").check()
    card.locator(f"#id_reveal_{party.pk}_reason_call").check()
    card.locator("[data-testid=reveal-submit]").click()
    link = card.locator("[data-testid=tel-link]")
    link.wait_for()
    assert link.get_attribute("href") == "tel:13800138000"
    assert page.url.endswith(f"/cases/{case.pk}/?tab=parties")  # revealed in place, the page stays
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"reveal-{size}.png"), full_page=size == "phone")
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    assert SecurityAuditEvent.objects.filter(type=SecurityAuditEvent.Type.REVEAL).count() == reveals
    audit = SecurityAuditEvent.objects.filter(type=SecurityAuditEvent.Type.REVEAL).first()
    assert audit.user_id == mediator.pk
    assert audit.detail["party"] == party.pk and audit.detail["field"] == "phone"
    assert audit.detail["reason"] == "电话联系当事人"
    assert case.events.filter(type="sensitive_revealed", actor=mediator).exists()
