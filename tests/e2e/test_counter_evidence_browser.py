"""Evidence files chosen on the counter form survive 查重 and a validation error (issue 15, item 7), in a real
browser: the page comes back listing them as 已选择的文件 (the file input itself is empty again), one can be
removed, and saving attaches the rest to the new case. Screenshot: test-output/counter/pending-files.png."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "counter"


def test_chosen_files_survive_the_check_and_an_error(page, live_server, clerk, sign_in, tmp_path, settings):
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    SHOTS.mkdir(parents=True, exist_ok=True)
    contract, photo = tmp_path / "合同.pdf", tmp_path / "现场照片.jpg"
    contract.write_bytes(b"%PDF-1.4 contract")
    photo.write_bytes(b"\xff\xd8\xff photo")
    sign_in(page, "clerk")
    page.goto(f"{live_server.url}/cases/intake/new/")
    page.fill("#id_parties-0-name", "张三")
    page.set_input_files("#id_evidence", [str(contract), str(photo)])
    page.click("button[name=check]")
    listed = page.locator("[data-testid=pending-files]")
    listed.wait_for()
    assert "合同.pdf" in listed.inner_text() and "现场照片.jpg" in listed.inner_text()
    assert page.input_value("#id_parties-0-name") == "张三"

    page.click("button[name=save]")  # the dispute type and the summary are missing
    assert page.locator("[data-field]:has(.is-invalid)", has=page.locator("#id_summary")).count() == 1
    assert "合同.pdf" in page.locator("[data-testid=pending-files]").inner_text()  # still there
    page.screenshot(path=str(SHOTS / "pending-files.png"), full_page=True)

    page.click("[data-testid=pending-files] li:has-text('现场照片.jpg') button[name=remove_pending]")
    # the button posts the form: wait on the locator, which retries across the page load (a function run while
    # the new page is still arriving finds no list and throws)
    expect(page.locator("[data-testid=pending-files]")).not_to_contain_text("现场照片")
    assert "合同.pdf" in page.locator("[data-testid=pending-files]").inner_text()

    page.select_option("#id_parties-1-role", "respondent")
    page.fill("#id_parties-1-name", "李四")
    page.select_option("#id_dispute_type", label="邻里")
    page.fill("#id_summary", "邻居装修占用公共楼道。")
    page.click("button[name=save]")
    page.wait_for_url(re.compile(r"/cases/intake/\d+/done/$"))
    case = Case.objects.get()
    assert list(case.attachments.values_list("original_name", flat=True)) == ["合同.pdf"]
    with case.attachments.get().file.open("rb") as f:
        assert f.read() == b"%PDF-1.4 contract"
