"""The demo (settings.DEMO_BUILDERS) leaves 研判预警 with something to show: the planted wage-dispute surge in
城关镇, its contractor and the group visits in 青山镇."""

from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from risk.models import RiskSignal


def test_the_demo_plants_a_surge_a_respondent_and_group_visits(db, client, settings):
    settings.DEMO_BUILDERS = ["risk.demo.build_demo_risk"]  # the cases' demo and this app's (not the others')
    call_command("load_demo", stdout=StringIO())
    reasons = sorted(RiskSignal.objects.values_list("kind", "reason"))
    assert reasons == [
        ("cell", "城关镇 劳动争议 近7日 9 件，近30日 9 件，过去 12 周平均 0.5 件/周"),
        ("group", "青山镇 近30日 集体访、群体性事件风险、越级上访或重复访案件 3 件"),
        ("respondent", "被申请人“示例建筑工程有限公司”在办案件 8 件（城关镇），达到集中预警阈值"),
    ]
    client.force_login(
        User.objects.get(username="town_supervisor"), backend="django.contrib.auth.backends.ModelBackend"
    )
    page = client.get(reverse("risk:board")).content.decode()
    assert "城关镇 劳动争议 案件激增" in page and "示例建筑工程有限公司" in page
    assert "青山镇 群体性事件苗头" not in page  # another town's signal
