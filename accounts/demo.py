"""Demo organisation and one user per role, for the run command. Never used in production."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from routing.models import Channel

from .models import Center, Department, ExternalSystem, Membership, User

DEMO_PASSWORD = "Demo@2026pass"

DEPARTMENTS = [
    # code, name, seating, channel
    ("court", "县人民法院", Department.Seating.RESIDENT, "court"),
    ("police", "县公安局", Department.Seating.RESIDENT, "police"),
    ("petition", "县信访局", Department.Seating.RESIDENT, "petition"),
    ("justice", "县司法局", Department.Seating.RESIDENT, "specialist"),
    ("hrss", "县人力资源和社会保障局", Department.Seating.ROTATING, "specialist"),
    ("housing", "县住房和城乡建设局", Department.Seating.ROTATING, "specialist"),
    ("enforcement", "县综合行政执法局", Department.Seating.ROTATING, None),
    ("health", "县卫生健康局（医调委）", Department.Seating.ON_CALL, "specialist"),
    ("market", "县市场监督管理局", Department.Seating.ON_CALL, "specialist"),
    ("online", "县网上矛调中心", Department.Seating.RESIDENT, "online"),
]

# username, display name, role, center key, department code, channel code.
# The county, one town (城关镇) and one of its villages (东村) each have a clerk and a mediator, and
# the town has a supervisor, so a dispute registered at any level can be worked to its follow-up
# visit with these logins. A mediator without a channel works every channel of their center: a
# town center or a village committee has too few mediators to split them by channel.
# The village center *is* the village's people's mediation committee (村人民调解委员会, level
# VILLAGE): a mediator membership there is membership of the committee.
USERS = [
    ("clerk", "王受理", Membership.Role.CLERK, "county", None, None),
    ("mediator", "李调解", Membership.Role.MEDIATOR, "county", None, "specialist"),
    ("mediator2", "赵调解", Membership.Role.MEDIATOR, "county", None, "specialist"),
    ("police_mediator", "陈警调", Membership.Role.MEDIATOR, "county", None, "police"),
    ("liaison", "孙联络", Membership.Role.LIAISON, "county", "hrss", None),
    ("supervisor", "刘督办", Membership.Role.SUPERVISOR, "county", None, None),
    ("admin", "系统管理员", Membership.Role.ADMIN, "county", None, None),
    ("town_clerk", "钱受理", Membership.Role.CLERK, "town1", None, None),
    ("town_mediator", "周调解", Membership.Role.MEDIATOR, "town1", None, None),
    ("town_supervisor", "吴督办", Membership.Role.SUPERVISOR, "town1", None, None),
    ("village_clerk", "郑受理", Membership.Role.CLERK, "village11", None, None),
    ("village_mediator", "冯调解", Membership.Role.MEDIATOR, "village11", None, None),
    ("grid_worker", "蒋网格", Membership.Role.GRID_WORKER, "village11", None, None),  # grassroots
]

CITIZEN = ("citizen", "张群众", "13800138000")


def build_demo_org() -> dict:
    """The county, two towns and four villages, departments, users and one external system."""
    with transaction.atomic():
        county, _ = Center.objects.get_or_create(
            name="示例县社会矛盾纠纷调处化解中心",
            defaults={
                "short_name": "示例县",
                "level": Center.Level.COUNTY,
                "area_code": "330100",
                "address": "示例县人民路 1 号",
                "phone": "0571-12345678",
                "office_hours": "周一至周五 8:30–12:00，14:00–17:30（法定节假日除外）",
            },
        )
        if not county.office_hours:  # a demo database from before the field existed
            county.office_hours = "周一至周五 8:30–12:00，14:00–17:30（法定节假日除外）"
            county.save(update_fields=["office_hours"])
        centers = {"county": county}
        for t, town_name in enumerate(["城关镇", "青山镇"], start=1):
            town, _ = Center.objects.get_or_create(
                name=f"{town_name}矛调中心",
                defaults={
                    "short_name": town_name,
                    "level": Center.Level.TOWN,
                    "parent": county,
                    "area_code": f"33010{t}",
                },
            )
            centers[f"town{t}"] = town
            for v, village_name in enumerate(["东村", "西村"] if t == 1 else ["南村", "北村"], start=1):
                village, _ = Center.objects.get_or_create(
                    name=f"{town_name}{village_name}人民调解委员会",
                    defaults={
                        "short_name": f"{town_name}{village_name}",
                        "level": Center.Level.VILLAGE,
                        "parent": town,
                        "area_code": f"33010{t}{v:02d}",
                    },
                )
                centers[f"village{t}{v}"] = village
        channels = {c.code: c for c in Channel.objects.all()}
        departments = {}
        for code, name, seating, channel in DEPARTMENTS:
            departments[code], _ = Department.objects.get_or_create(
                center=county,
                code=code,
                defaults={"name": name, "seating": seating, "channel": channels.get(channel)},
            )
        users = {}
        for username, display, role, center_key, dept, channel in USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"display_name": display, "kind": User.Kind.STAFF}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                if role == Membership.Role.ADMIN:
                    user.is_staff = user.is_superuser = True
                user.save()
            Membership.objects.get_or_create(
                user=user,
                center=centers[center_key],
                role=role,
                department=departments.get(dept),
                defaults={"channel": channels.get(channel)},
            )
            users[username] = user
        citizen, created = User.objects.get_or_create(
            username=CITIZEN[0],
            defaults={"display_name": CITIZEN[1], "kind": User.Kind.CITIZEN, "phone": CITIZEN[2]},
        )
        if created:
            citizen.set_unusable_password()
            citizen.save()
        users["citizen"] = citizen
        system_user, _ = User.objects.get_or_create(
            username="system-12345", defaults={"display_name": "12345 政务服务热线", "kind": User.Kind.SYSTEM}
        )
        ExternalSystem.objects.get_or_create(
            code="hotline_12345",
            defaults={
                "name": "12345 政务服务热线",
                "user": system_user,
                "center": county,
                "source": "hotline_12345",
            },
        )
        token, _ = Token.objects.get_or_create(user=system_user)
    return {"centers": centers, "departments": departments, "users": users, "api_token": token.key}


# The demo's external systems (code -> user), whose API tokens `make run` prints.
DEMO_SYSTEMS = {"hotline_12345": "system-12345"}


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, display name, role label, center name) of each demo staff post, read from the database."""
    usernames = [row[0] for row in USERS]
    order = {name: index for index, name in enumerate(usernames)}
    rows = Membership.objects.filter(user__username__in=usernames, user__is_active=True).select_related(
        "user", "center", "department", "channel"
    )
    logins = []
    for m in sorted(rows, key=lambda m: (order[m.user.username], m.pk)):
        where = f"{m.center.name} · {m.department.name}" if m.department_id else m.center.name
        role = f"{m.get_role_display()} ({m.role}{f', {m.channel.name}' if m.channel_id else ''})"
        logins.append((m.user.username, m.user.display_name, role, where))
    return logins


def demo_citizen() -> User | None:
    return User.objects.filter(username=CITIZEN[0], kind=User.Kind.CITIZEN).first()


def demo_tokens() -> list[tuple[str, str]]:
    """(system name, API token) of the demo's external systems, read from the database."""
    systems = ExternalSystem.objects.filter(code__in=DEMO_SYSTEMS).select_related("user").order_by("code")
    tokens = dict(Token.objects.filter(user__in=[s.user_id for s in systems]).values_list("user_id", "key"))
    return [(s.name, tokens[s.user_id]) for s in systems if s.user_id in tokens]
