"""The admin a non-programmer can run (issue 16 item 7): grouped by task with Chinese help lines, every
page renders, routing-rule conditions are ticked from real lists and stored as the rules engine reads them,
thresholds show whole values with units, holiday names are Chinese."""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from cases.core.models import CalendarDay, DisputeType, Source
from cases.warnings.models import WarningSetting
from mediation_center.admin_site import ADMIN_GROUPS, OTHER
from routing.models import RoutingRule
from routing.rules import suggest_route

TASK_GROUPS = ["机构与人员", "分流规则", "期限与日历", "预警阈值", "预约与服务"]


@pytest.fixture
def staff_admin(client, admin_user):
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_every_registered_model_has_a_group_and_a_chinese_help_line():
    listed = {label: help_line for _g, _a, _about, rows in ADMIN_GROUPS for label, _name, help_line in rows}
    registered = {model._meta.label for model in admin.site._registry}
    assert sorted(registered - set(listed)) == []  # a new model: give it a group and a help line here
    assert all(re.search(r"[\u4e00-\u9fff]", str(line)) for line in listed.values())


@pytest.mark.django_db
def test_the_index_groups_models_by_task_with_help(staff_admin):
    html = staff_admin.get("/admin/").content.decode()
    groups = re.findall(r'<a href="/admin/#group-\w+" class="section">([^<]+)</a>', html)
    assert groups[:5] == TASK_GROUPS and str(OTHER) not in groups
    assert "三级矛调中心：名称、层级、地址、咨询电话和办公时间" in html
    assert "四色预警的阈值和响应期限" in html and "登录失败计数" in html
    rules = html.index('id="group-routing"')
    assert rules < html.index("/admin/routing/routingrule/") < html.index('id="group-deadlines"')
    # an app's own page stays that app's list
    app_page = staff_admin.get("/admin/routing/").content.decode()
    assert (
        "/admin/routing/routingrule/" in app_page
        and "/admin/accounts/center/" not in app_page.split("<main")[-1]
    )


@pytest.mark.django_db
def test_every_admin_page_renders(staff_admin, world, make_case):
    make_case()  # rows for the record screens
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        assert staff_admin.get(reverse("admin:%s_%s_changelist" % info)).status_code == 200, model._meta.label
        # read-only records refuse the add page (403); every other model's add page renders
        assert staff_admin.get(reverse("admin:%s_%s_add" % info)).status_code in (200, 403), model._meta.label
        first = model._default_manager.first()
        if first is not None:
            change = staff_admin.get(reverse("admin:%s_%s_change" % info, args=[first.pk]))
            assert change.status_code == 200, model._meta.label
    for label in ["routing/routingrule", "cases/warningsetting", "accounts/center", "cases/calendarday"]:
        assert staff_admin.get(f"/admin/{label}/add/").status_code == 200, label


def rule_form(world, **overrides):
    data = {
        "name": "网格上报的劳动争议",
        "code": "grid-labour",
        "position": "5",
        "active": "on",
        "dispute_types": [DisputeType.objects.get(code="labour").pk],
        "sources": [Source.GRID, Source.HOTLINE_12345],
        "center_levels": ["1", "2"],
        "min_amount": "1000000",
        "max_amount": "",
        "min_people": "",
        "max_people": "",
        "risk": "",
        "channel": world.channels["police"].pk,
        "target_level": RoutingRule.TargetLevel.STAY,
        "department_codes": ["hrss"],
        "summons_hours": "48",
        "priority": "2",
        "reason": "网格上报的大额欠薪由警调联动",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_rule_ticked_in_the_admin_is_stored_as_json_and_routes_a_case(staff_admin, world, make_case):
    form = staff_admin.get("/admin/routing/routingrule/add/").content.decode()
    assert 'type="checkbox" name="sources" value="grid"' in form and "网格平台" in form
    assert 'name="department_codes" value="hrss"' in form and "人社局（hrss）" in form
    assert 'name="center_levels" value="2"' in form and "镇/街道矛调中心" in form
    assert "勾选适用的来源；都不勾表示不限来源。" in form
    assert '["hrss"]' not in form and "来源代码列表" not in form  # no JSON to type
    response = staff_admin.post("/admin/routing/routingrule/add/", rule_form(world))
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = RoutingRule.objects.get(code="grid-labour")
    assert rule.sources == ["grid", "hotline_12345"]
    assert rule.center_levels == [1, 2]
    assert rule.department_codes == ["hrss"]

    labour = DisputeType.objects.get(code="labour")
    grid_case = make_case(source=Source.GRID, dispute_type=labour, amount=1_200_000)
    suggestion = suggest_route(grid_case)
    assert suggestion.rule == rule and suggestion.channel == world.channels["police"]
    assert [d.code for d in suggestion.departments] == ["hrss"]
    counter_case = make_case(source=Source.COUNTER, dispute_type=labour, amount=1_200_000)
    assert suggest_route(counter_case).rule != rule  # the source condition holds

    # editing shows the stored choices ticked, and keeps a code no department has any more
    RoutingRule.objects.filter(pk=rule.pk).update(department_codes=["hrss", "gone"])
    edit = staff_admin.get(f"/admin/routing/routingrule/{rule.pk}/change/").content.decode()
    assert re.search(r'name="sources" value="grid"[^>]*checked', edit)
    assert (
        re.search(r'name="department_codes" value="gone"[^>]*checked', edit)
        and "gone（已不在列表中）" in edit
    )


@pytest.mark.django_db
def test_a_bad_rule_value_is_refused_with_a_message(staff_admin, world):
    response = staff_admin.post(
        "/admin/routing/routingrule/add/", rule_form(world, sources=["nonsense"], center_levels=["9"])
    )
    assert response.status_code == 200
    assert (
        "nonsense" in response.content.decode()
        and not RoutingRule.objects.filter(code="grid-labour").exists()
    )


@pytest.mark.django_db
def test_thresholds_show_their_whole_value_with_units(staff_admin):
    from cases.warnings.seed import seed_settings

    seed_settings()
    html = staff_admin.get("/admin/cases/warningsetting/").content.decode()
    red = WarningSetting.objects.get(key="risk_amount_red")
    box = re.search(rf'<input[^>]*name="form-\d+-value"[^>]*value="{red.value}"[^>]*>', html).group(0)
    width = int(re.search(r"width: (\d+)ch", box).group(1))
    assert width >= len(str(red.value)) + 2  # 1000000 fits whole
    assert 'data-unit="元"' in html and 'data-unit="人"' in html and 'data-unit="次"' in html
    assert 'data-unit="天"' in html
    level = WarningSetting.objects.get(key="risk_flag_violence_level")
    change = staff_admin.get(f"/admin/cases/warningsetting/{level.pk}/change/").content.decode()
    assert '<option value="4" selected>红色</option>' in change
    response = staff_admin.post(f"/admin/cases/warningsetting/{red.pk}/change/", {"value": "-5"})
    assert response.status_code == 200 and not WarningSetting.objects.filter(value=-5).exists()


@pytest.mark.django_db
def test_holiday_names_are_chinese():
    from cases.warnings.seed import seed_calendar

    seed_calendar()
    CalendarDay.objects.filter(date=dt.date(2026, 10, 2)).update(name="National Day")  # an older seed's name
    seed_calendar()
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 2)).name == "国庆节"  # seeded earlier in English
    assert CalendarDay.objects.get(date=dt.date(2026, 9, 20)).name == "国庆节调休上班"
    assert not CalendarDay.objects.filter(name__regex=r"[A-Za-z]").exists()
