"""A page that is not there (or may not be seen) answers 404 with a Chinese page saying what may have happened
and where to go — the staff one for staff paths, the portal's for citizens' — and JSON for the API."""

from django.urls import reverse


def test_staff_404_is_a_chinese_page_with_a_way_back(client, clerk, make_case):
    client.force_login(clerk)
    answer = client.get("/cases/999999999/")
    html = answer.content.decode()
    assert answer.status_code == 404 and 'data-testid="not-found"' in html
    assert "未找到该页面" in html and "授予个案权限" in html and reverse("accounts:home") in html
    assert "Not Found" not in html


def test_portal_404_is_the_portals_page(client, citizen, other_citizen, make_case):
    case = make_case()
    client.force_login(other_citizen)  # not a party of the case
    answer = client.get(reverse("portal:case", args=[case.tracking_code]))
    html = answer.content.decode()
    assert answer.status_code == 404 and "只有案件的当事人本人登录后才能查看" in html
    assert reverse("portal:status") in html and "Not Found" not in html


def test_anonymous_and_api_404(client, db):
    html = client.get("/no/such/page/").content.decode()
    assert "未找到该页面" in html and reverse("accounts:login") in html
    answer = client.get("/api/no-such-endpoint/")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
