"""Hand-offs to the court in a browser: at 1366 px the mediator prepares the judicial-confirmation package on
the case page (the card arrives by htmx) and records its submission; at 375 px the party sees the status."""

import re
from pathlib import Path

import pytest
from django.test import Client

from accounts.models import User
from cases.lifecycle import services as lifecycle
from courtlink.models import Handoff
from tests.cases.lifecycle_helpers import make_effective, route, session
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUT = Path(__file__).resolve().parents[2] / "test-output" / "courtlink"


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _shot(page, name):
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def test_staff_prepares_and_submits_and_the_party_sees_it_on_a_phone(
    browser, live_server, sign_in, make_case, world, mediator
):
    base = live_server.url
    case = route(make_case(), world.channels["specialist"])
    session(case, mediator)
    make_effective(case, mediator)
    lifecycle.conclude_case(case, actor=mediator, outcome="written_agreement")
    case_url = f"{base}/cases/{case.pk}/"

    desk = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = desk.new_page()
    page.set_default_timeout(30000)
    sign_in(page, "mediator")
    page.goto(case_url + "?tab=documents")
    card = page.locator("[data-testid=court-section]")
    card.wait_for()  # loaded after the page by htmx
    assert "申请司法确认期限" in card.inner_text()
    page.fill("#court-name-c", "测试县人民法院")
    page.click("[data-testid=prepare-confirmation] button[type=submit]")
    page.wait_for_url(re.compile(re.escape(case_url)))
    page.locator("[data-testid=court-handoff][data-status=prepared]").wait_for()
    assert page.locator("[data-testid=handoff-status]").inner_text() == "材料已准备"
    with page.expect_download() as download:
        page.click("[data-testid=package-zip]")
    assert download.value.suggested_filename.startswith("court-package-")
    page.select_option("[data-testid=handoff-progress] select[name=to]", "submitted")
    page.click("[data-testid=progress-submit]")
    page.locator("[data-testid=court-handoff][data-status=submitted]").wait_for()
    assert page.locator("[data-testid=handoff-status]").inner_text() == "已提交法院"
    assert fits_the_screen(page)
    page.locator("[data-testid=court-section]").screenshot(path=str(OUT / "case-card-1366.png"))
    _shot(page, "case-page-1366")
    desk.close()
    assert Handoff.objects.get(case=case).status == "submitted"

    zhang = UserFactory(username="zhang", kind=User.Kind.CITIZEN, phone="13800138000")
    client = Client()
    client.force_login(zhang, backend="django.contrib.auth.backends.ModelBackend")
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    phone.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    page = phone.new_page()
    page.set_default_timeout(30000)
    page.goto(f"{base}/courtlink/mine/")
    status = page.locator("[data-testid=citizen-handoff-status]")
    assert status.inner_text() == "已提交法院"
    assert "3 日内决定是否受理" in page.locator("[data-testid=next-step]").inner_text()
    assert fits_the_screen(page)
    _shot(page, "party-status-375")
    phone.close()
