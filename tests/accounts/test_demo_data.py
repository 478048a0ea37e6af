import re
from io import StringIO

from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.demo import DEMO_PASSWORD, USERS
from accounts.models import Center, Membership, User
from cases.models import Case, FollowUpVisit, TimelineEvent


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def demo_logins(**options) -> str:
    out = StringIO()
    call_command("demo_logins", stdout=out, **options)
    return out.getvalue()


def test_demo_data_has_the_center_tree_every_role_and_is_loaded_once(db):
    text = load_demo()
    assert Center.objects.filter(level=Center.Level.COUNTY).count() == 1
    assert Center.objects.filter(level=Center.Level.TOWN).count() == 2
    assert Center.objects.filter(level=Center.Level.VILLAGE).count() == 4
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {r.value for r in Membership.Role}
    assert User.objects.filter(kind=User.Kind.CITIZEN).exists()
    assert Case.objects.count() == 17  # 16 + online's half-signed agreement
    assert Case.objects.filter(center__level=Center.Level.TOWN).count() == 3
    assert Case.objects.filter(center__level=Center.Level.VILLAGE).count() == 3
    assert TimelineEvent.objects.filter(type__in=["registered", "submitted"]).count() == 17
    assert "演示数据已载入" in text

    again = load_demo()
    assert "跳过" in again
    assert Case.objects.count() == 17  # 16 + online's half-signed agreement


def test_force_adds_missing_demo_logins_without_registering_cases_twice(db):
    load_demo()
    Membership.objects.filter(user__username="village_mediator").delete()  # an older demo database lacked it
    out = StringIO()
    call_command("load_demo", "--force", stdout=out)
    assert "未再登记" in out.getvalue()
    assert Membership.objects.get(user__username="village_mediator").center.level == Center.Level.VILLAGE
    assert Case.objects.count() == 17  # 16 + online's half-signed agreement


def test_the_summary_tells_what_the_database_holds(db):
    first = load_demo()
    for text in (first, load_demo()):  # also when the data was there already
        assert "市/县矛调中心 1，镇/街道矛调中心 2，村/社区调委会 4" in text
        assert (
            "工作人员 / staff: 12；岗位 / posts: 窗口受理员 3，调解员 5，部门联络员 1，督办/领导 2，管理员 1"
            in text
        )
        assert "案件 / cases: 17（市/县矛调中心 11，镇/街道矛调中心 3，村/社区调委会 3）" in text
        assert "已回访 1，待回访 6" in text
    # read from the database, not literals: one more case and one more visit done show up
    case = Case.objects.filter(center__level=Center.Level.TOWN).first()
    FollowUpVisit.objects.filter(visited_at__isnull=True).update(visited_at=timezone.now())
    Case.objects.filter(pk=case.pk).update(center=Center.objects.get(level=Center.Level.COUNTY))
    text = load_demo()
    assert "案件 / cases: 17（市/县矛调中心 12，镇/街道矛调中心 2，村/社区调委会 3）" in text
    assert "已回访 7，待回访 0" in text


def test_demo_logins_are_printed_from_the_database_every_time(db, monkeypatch):
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    load_demo()
    token = Token.objects.get(user__username="system-12345").key
    outputs = [demo_logins(base_url="http://127.0.0.1:8123/"), demo_logins(base_url="http://127.0.0.1:8123/")]
    for text in outputs:
        assert "http://127.0.0.1:8123/" in text and "http://127.0.0.1:8123/api/docs/" in text
        assert f"password for all: {DEMO_PASSWORD}" in text
        assert token in text
        for username, display, role, *_ in USERS:
            membership = Membership.objects.select_related("center").get(user__username=username)
            line = next(line for line in text.splitlines() if re.match(rf"\s+{username}\s", line))
            assert display in line and f"{Membership.Role(role).label} ({role}" in line
            assert membership.center.name in line
        assert "13800138000" in text and "/portal/sign-in/" in text
    # a login the database no longer has is not offered; a renamed center shows its new name
    User.objects.filter(username="mediator2").update(is_active=False)
    Center.objects.filter(short_name="城关镇").update(name="城关街道矛调中心")
    text = demo_logins()
    assert not re.search(r"^\s+mediator2\s", text, re.M)
    assert re.search(r"^\s+town_clerk\s.*城关街道矛调中心$", text, re.M)
    assert "http://127.0.0.1:8000/" in text  # HOST/PORT defaults


def test_demo_logins_on_a_database_without_demo_data_says_so(db):
    text = demo_logins()
    assert "数据库中没有演示账号" in text and "API token" not in text
