import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("persona", "expected", "absent"),
    [
        ("clerk", ["accounts:home"], ["accounts:audit_log", "admin:index"]),
        ("supervisor", ["accounts:home"], ["accounts:audit_log"]),
        ("admin_user", ["accounts:audit_log", "admin:index"], []),
    ],
)
def test_each_role_sees_its_navigation(request, login, persona, expected, absent):
    user = request.getfixturevalue(persona)
    html = login(user).get(reverse("accounts:home")).content.decode()
    for name in expected:
        assert f'data-nav="{name}"' in html
    for name in absent:
        assert f'data-nav="{name}"' not in html


def test_home_page_in_chinese_by_default_and_english_on_switch(login, clerk):
    client = login(clerk)
    assert "工作台" in client.get(reverse("accounts:home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Workbench" in client.get(reverse("accounts:home")).content.decode()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response.headers["Location"]


def test_an_english_browser_still_gets_chinese_until_the_user_switches(client, db):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "工作人员登录" in response.content.decode()
