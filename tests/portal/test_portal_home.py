"""The portal home (issue 16 item 3): the center's contact details from its record, five large buttons."""

import re

import pytest
from django.test import Client

from accounts.models import Center


@pytest.mark.django_db
def test_home_shows_the_centers_record_and_the_five_buttons(world, django_assert_max_num_queries):
    Center.objects.filter(pk=world.county.pk).update(
        address="测试县人民路 8 号", phone="0571-88886666", office_hours="周一至周五 9:00–17:00"
    )
    with django_assert_max_num_queries(3):
        response = Client().get("/portal/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "测试县矛调中心" in html and "测试县人民路 8 号" in html and "周一至周五 9:00–17:00" in html
    assert 'href="tel:0571-88886666"' in html
    buttons = re.search(r'data-testid="home-buttons">(.*?)</nav>', html, re.S).group(1)
    labels = re.findall(r"</span>([^<]+)</a>", buttons)
    assert labels == ["申请调解", "查询进度", "预约到访", "在线咨询", "我的案件"]
    for url in [
        "/portal/apply/",
        "/portal/status/",
        "/portal/appointments/",
        "/portal/consultations/",
        "/portal/me/",
    ]:
        assert f'href="{url}"' in buttons


@pytest.mark.django_db
def test_an_edit_in_the_admin_shows_on_the_home(world, admin_client):
    center = world.county
    data = {
        "name": center.name,
        "short_name": center.short_name,
        "level": center.level,
        "area_code": "",
        "time_zone": "Asia/Shanghai",
        "address": "测试县新址大道 2 号",
        "phone": "0571-12340000",
        "office_hours": "周一至周六 8:00–18:00",
        "require_evaluation": "on",
    }
    response = admin_client.post(f"/admin/accounts/center/{center.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    html = Client().get("/portal/").content.decode()
    assert "测试县新址大道 2 号" in html and "周一至周六 8:00–18:00" in html and "0571-12340000" in html


@pytest.mark.django_db
def test_home_without_contact_details_leaves_them_out(world):
    html = Client().get("/portal/").content.decode()
    assert "测试县矛调中心" in html and 'href="tel:' not in html


@pytest.mark.django_db
def test_the_api_gives_the_same_contact_details_and_the_notice(world):
    Center.objects.filter(pk=world.county.pk).update(
        phone="0571-88886666", office_hours="周一至周五 9:00–17:00"
    )
    centers = Client().get("/api/portal/centers/").json()
    county = next(c for c in centers if c["name"] == "测试县矛调中心")
    assert county["phone"] == "0571-88886666" and county["office_hours"] == "周一至周五 9:00–17:00"
    from cases.portal import privacy

    notice = Client().get("/api/portal/privacy-notice/").json()
    assert notice["version"] == privacy.NOTICE_VERSION and notice["sha256"] == privacy.notice_sha256()
    assert [s["heading"] for s in notice["sections"]][:2] == ["谁处理您的信息", "为什么处理"]
    english = Client().get("/api/portal/privacy-notice/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["sha256"] == notice["sha256"]  # the digest is always the Chinese text's
    assert Client().post("/api/portal/centers/").status_code == 405
