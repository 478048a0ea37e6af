import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_logs_in_in_chinese_switches_to_english_and_logs_out(
    page, live_server, clerk, password, sign_in
):
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "工作人员登录"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    sign_in(page, "clerk")
    assert page.locator("h1").inner_text() == "工作台"
    page.click("[data-testid=user-menu]")  # signed in, the language switch sits in the user menu
    page.click("[data-testid=lang-en]")
    page.wait_for_selector("text=Workbench")
    assert page.locator("h1").inner_text() == "Workbench"
    page.click("[data-testid=user-menu]")  # the user menu holds 退出 (issue 15)
    page.click("[data-testid=logout]")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "Staff sign-in"
