"""Issue 15 item 7 in a real browser: the counter form's fields follow the party's kind, Enter moves to the
next field, the repeat-detection panel sits beside the form (above it on a phone), and a draft typed before
a reload is offered back."""

from pathlib import Path

import pytest

from cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[2] / "test-output" / "lists"


@pytest.mark.parametrize("width", [1366, 375])
def test_counter_form_kind_enter_and_draft(browser, live_server, sign_in, clerk, width):
    OUT.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": width, "height": 900}, is_mobile=width < 400
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, "clerk")
    page.goto(f"{live_server.url}/cases/intake/new/")

    # a person: ID fields, no credit code; an organisation: the other way round
    assert page.locator("#id_parties-0-id_number").is_visible()
    assert not page.locator("#id_parties-0-credit_code").is_visible()
    page.select_option("#id_parties-1-kind", "legal")
    assert page.locator("#id_parties-1-credit_code").is_visible()
    assert page.locator("#id_parties-1-legal_representative").is_visible()
    assert not page.locator("#id_parties-1-id_number").is_visible()
    assert page.locator("#id_parties-1-id_number").is_disabled()

    # Enter moves on and does not submit
    page.fill("#id_parties-0-name", "张三")
    page.press("#id_parties-0-name", "Enter")
    assert page.evaluate("document.activeElement.id") == "id_parties-0-id_type"
    assert page.url.endswith("/cases/intake/new/") and Case.objects.count() == 0

    # the repeat-detection panel: beside the form on a desktop, above it on a phone
    panel = page.locator("[data-testid=related-panel]").bounding_box()
    first_party = page.locator("#id_parties-0-name").bounding_box()
    if width > 1000:
        assert panel["x"] > first_party["x"] + first_party["width"]
    else:
        assert panel["y"] < first_party["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(OUT / f"counter-form-{width}.png"), full_page=True)

    page.fill("#id_parties-1-name", "某某建筑公司")
    page.fill("#id_parties-1-credit_code", "91330100MA2B3C4D5E")
    page.fill("#id_summary", "工程款纠纷，施工队讨要欠款。")
    page.wait_for_timeout(700)  # the draft is written 0.4 s after the last keystroke

    page.reload()  # as after an idle sign-out and back
    offer = page.locator("[data-testid=draft-offer]")
    assert offer.is_visible()
    assert page.input_value("#id_summary") == ""
    page.screenshot(path=str(OUT / f"counter-draft-offer-{width}.png"), full_page=True)
    page.click("[data-testid=draft-restore]")
    assert page.input_value("#id_parties-0-name") == "张三"
    assert page.input_value("#id_parties-1-kind") == "legal"
    assert page.locator("#id_parties-1-credit_code").is_visible()
    assert page.input_value("#id_parties-1-credit_code") == "91330100MA2B3C4D5E"
    assert page.input_value("#id_summary") == "工程款纠纷，施工队讨要欠款。"
    assert not offer.is_visible()
    context.close()
