"""A clerk registers a two-party dispute at the counter, fixes an invalid ID and prints the receipt."""

import io
import re

import pytest
from pypdf import PdfReader

from cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_registers_two_party_dispute_fixes_id_and_prints_receipt(page, live_server, clerk, sign_in):
    sign_in(page, "clerk")
    page.click("[data-nav='cases:intake-register']")
    page.wait_for_url(f"{live_server.url}/cases/intake/new/")
    assert page.locator("h1").inner_text() == "登记受理"

    page.fill("#id_parties-0-name", "张三")
    page.fill("#id_parties-0-id_number", "110105194912310021")  # wrong check character
    page.fill("#id_parties-0-phone", "13800138000")
    page.fill("#id_parties-0-address", "某县某镇某村 1 号")
    page.select_option("#id_parties-1-role", "respondent")
    page.fill("#id_parties-1-name", "李四")
    page.fill("#id_parties-1-id_number", "110101199003074477")
    page.fill("#id_parties-1-phone", "0571-87654321")
    page.select_option("#id_dispute_type", label="邻里")
    page.fill("#id_summary", "邻居装修占用公共楼道，双方多次争吵。")
    page.fill("#id_claims", "恢复楼道通行")
    page.check("#id_risk_violence")
    page.click("button[name=save]")

    error = page.locator("[data-field]:has(.is-invalid)", has=page.locator("#id_parties-0-id_number"))
    assert "身份证号校验位不正确" in error.inner_text()
    assert Case.objects.count() == 0
    # Nothing typed was lost.
    assert page.input_value("#id_parties-0-id_number") == "110105194912310021"
    assert page.input_value("#id_parties-0-address") == "某县某镇某村 1 号"
    assert page.input_value("#id_parties-1-name") == "李四"
    assert page.input_value("#id_summary") == "邻居装修占用公共楼道，双方多次争吵。"
    assert page.is_checked("#id_risk_violence")

    page.fill("#id_parties-0-id_number", "11010519491231002x")
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r"/cases/intake/\d+/done/$"))
    case = Case.objects.get()
    assert page.locator("[data-testid=case-number]").inner_text() == case.number
    assert "110105********002X" in page.content() and "11010519491231002X" not in page.content()
    assert case.parties.get(name="张三").sex == "F"

    receipt = page.locator("[data-testid=print-receipt]")
    assert receipt.inner_text() == "打印受理回执"
    response = page.request.get(live_server.url + receipt.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert case.number in text.replace(" ", "").replace("\n", "")

    page.click("[data-testid=open-case]")
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
    assert page.locator("h1").inner_text().startswith(case.number)


def test_clerk_adds_a_third_party_with_the_button(page, live_server, clerk, sign_in):
    sign_in(page, "clerk")
    page.goto(f"{live_server.url}/cases/intake/new/")
    page.click("#add-party")
    page.select_option("#id_parties-2-role", "third")
    page.fill("#id_parties-0-name", "甲")
    page.select_option("#id_parties-1-role", "respondent")
    page.fill("#id_parties-1-name", "乙")
    page.fill("#id_parties-2-name", "丙")
    page.select_option("#id_dispute_type", label="合同")
    page.fill("#id_summary", "合同纠纷")
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r"/cases/intake/\d+/done/$"))
    assert sorted(Case.objects.get().parties.values_list("name", flat=True)) == ["丙", "乙", "甲"]


def test_intake_form_fits_a_phone(phone_page, live_server, clerk, sign_in):
    sign_in(phone_page, "clerk")
    phone_page.goto(f"{live_server.url}/cases/intake/new/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
