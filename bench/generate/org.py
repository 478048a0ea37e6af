"""The org tree (county → town → village centers) and its staff, departments, and the context loaded from them."""

import random

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Center, Department, Membership, User
from bench.generate.context import BENCH_PASSWORD, PLACE_WORDS, PROVINCE_CODE, Context, Staff
from bench.generate.copy import reserve_ids
from bench.generate.people import mobile, person_name
from cases.core.models import CaseNumberSequence, DisputeType
from cases.warnings.models import PolicyClock
from routing.models import Channel


def build_tree(counties: int, towns: int, villages: int, rng: random.Random) -> list[Center]:
    """County centers with their towns and villages, ids reserved first so that ``path`` is written once."""
    names = ["县", "市", "区"]
    with connection.cursor() as cursor:
        total = counties * (1 + towns * (1 + villages))
        ids = iter(reserve_ids(cursor, Center, total))
    rows = []
    for c in range(counties):
        cid = next(ids)
        suffix = names[c % 3]
        county_name = f"{rng.choice(PLACE_WORDS)}{rng.choice(PLACE_WORDS)}{c + 1}{suffix}"
        county_code = f"{PROVINCE_CODE}{(c // 20) + 1:02d}{(c % 20) + 1:02d}"
        county = Center(
            id=cid,
            name=f"{county_name}社会矛盾纠纷调处化解中心",
            short_name=county_name[:20],
            level=Center.Level.COUNTY,
            area_code=county_code,
            path=f"/{cid}/",
            address=f"{county_name}人民路{c + 1}号",
            phone=f"0571-8{rng.randint(1000000, 9999999)}",
        )
        rows.append(county)
        for t in range(towns):
            tid = next(ids)
            town_name = f"{rng.choice(PLACE_WORDS)}{t + 1}{'镇' if t % 3 else '街道'}"
            town_code = f"{county_code}{t + 1:03d}"
            town = Center(
                id=tid,
                name=f"{county_name}{town_name}矛调中心",
                short_name=f"{county_name[:8]}{town_name}"[:20],
                level=Center.Level.TOWN,
                parent_id=cid,
                area_code=town_code,
                path=f"{county.path}{tid}/",
            )
            rows.append(town)
            for v in range(villages):
                vid = next(ids)
                village_name = f"{rng.choice(PLACE_WORDS)}{v + 1}村"
                rows.append(
                    Center(
                        id=vid,
                        name=f"{town_name}{village_name}人民调解委员会",
                        short_name=f"{county_name}{town_name}{village_name}"[:20],
                        level=Center.Level.VILLAGE,
                        parent_id=tid,
                        area_code=f"{town_code}{v + 1:03d}",
                        path=f"{town.path}{vid}/",
                    )
                )
    Center.objects.bulk_create(rows, batch_size=2000)
    return rows


def build_staff(centers: list[Center], channels: list[Channel], rng: random.Random) -> None:
    """Clerks, mediators (one per channel at counties) and supervisors, all with one shared password hash."""
    password = make_password(BENCH_PASSWORD)
    users, memberships = [], []

    def person(username: str, center: Center, role: str, channel: Channel | None = None) -> None:
        user = User(
            username=username,
            display_name=person_name(rng),
            kind=User.Kind.STAFF,
            password=password,
            phone=mobile(rng),
        )
        users.append(user)
        memberships.append((user, center, role, channel))

    for center in centers:
        if center.level == Center.Level.COUNTY:
            person(f"sup{center.id}", center, Membership.Role.SUPERVISOR)
            for i in range(2):
                person(f"clerk{center.id}_{i}", center, Membership.Role.CLERK)
            for channel in channels:
                person(f"med{center.id}_{channel.code}", center, Membership.Role.MEDIATOR, channel)
        elif center.level == Center.Level.TOWN:
            person(f"sup{center.id}", center, Membership.Role.SUPERVISOR)
            person(f"clerk{center.id}_0", center, Membership.Role.CLERK)
            person(f"med{center.id}_0", center, Membership.Role.MEDIATOR)
        elif rng.random() < 0.25:  # some village committees have an account for their mediator
            person(f"med{center.id}_0", center, Membership.Role.MEDIATOR)
    User.objects.bulk_create(users, batch_size=2000)
    Membership.objects.bulk_create(
        [Membership(user=u, center=c, role=r, channel=ch) for u, c, r, ch in memberships], batch_size=2000
    )


# The departments stationed at (or on call for) a county center, as in accounts.demo.
DEPARTMENTS = [
    ("court", "人民法院", Department.Seating.RESIDENT),
    ("police", "公安局", Department.Seating.RESIDENT),
    ("petition", "信访局", Department.Seating.RESIDENT),
    ("justice", "司法局", Department.Seating.RESIDENT),
    ("hrss", "人力资源和社会保障局", Department.Seating.ROTATING),
    ("housing", "住房和城乡建设局", Department.Seating.ROTATING),
    ("enforcement", "综合行政执法局", Department.Seating.ROTATING),
    ("health", "卫生健康局（医调委）", Department.Seating.ON_CALL),
    ("market", "市场监督管理局", Department.Seating.ON_CALL),
]


def ensure_departments(rng: random.Random) -> int:
    """The departments of every generated county that has none yet, each with one liaison (部门联络员,
    username ``liaison<department id>``); idempotent, so ``--only-extra`` adds them to an older database."""
    counties = list(
        Center.objects.filter(level=Center.Level.COUNTY, area_code__startswith=PROVINCE_CODE)
        .exclude(departments__isnull=False)
        .order_by("pk")
    )
    if not counties:
        return 0
    with transaction.atomic():
        departments = Department.objects.bulk_create(
            [
                Department(center=county, code=code, name=f"{county.short_name}{name}"[:60], seating=seating)
                for county in counties
                for code, name, seating in DEPARTMENTS
            ],
            batch_size=2000,
        )
        password = make_password(BENCH_PASSWORD)
        users = User.objects.bulk_create(
            [
                User(
                    username=f"liaison{d.pk}",
                    display_name=person_name(rng),
                    kind=User.Kind.STAFF,
                    password=password,
                    phone=mobile(rng),
                )
                for d in departments
            ],
            batch_size=2000,
        )
        Membership.objects.bulk_create(
            [
                Membership(user=u, center_id=d.center_id, role=Membership.Role.LIAISON, department=d)
                for u, d in zip(users, departments, strict=True)
            ],
            batch_size=2000,
        )
    return len(departments)


def load_context(seed: int, years: int) -> Context:
    centers = {c.id: c for c in Center.objects.all()}
    by_level: dict[int, list[Center]] = {1: [], 2: [], 3: []}
    for c in centers.values():
        by_level[c.level].append(c)
    staff: dict[int, Staff] = {}
    for m in Membership.objects.all().only("user_id", "center_id", "role", "channel_id"):
        s = staff.setdefault(m.center_id, Staff())
        if m.role == Membership.Role.CLERK:
            s.clerks.append(m.user_id)
        elif m.role == Membership.Role.MEDIATOR:
            s.mediators.setdefault(m.channel_id or 0, []).append(m.user_id)
        elif m.role == Membership.Role.SUPERVISOR:
            s.supervisors.append(m.user_id)
    serials = {(s.center_id, s.year): s.last_serial for s in CaseNumberSequence.objects.all()}
    departments: dict[int, list[tuple[int, str]]] = {}
    for d in Department.objects.filter(center__level=Center.Level.COUNTY).order_by("pk"):
        departments.setdefault(d.center_id, []).append((d.pk, d.name))
    liaisons = dict(
        Membership.objects.filter(role=Membership.Role.LIAISON, department__isnull=False)
        .order_by("-pk")
        .values_list("department_id", "user_id")
    )
    return Context(
        rng=random.Random(seed),
        now=timezone.now(),
        years=years,
        centers=centers,
        by_level=by_level,
        staff=staff,
        dispute_types=list(DisputeType.objects.filter(active=True)),
        channels=list(Channel.objects.all()),
        serials=serials,
        handling_clock=PolicyClock.objects.filter(code="handling", policy__code="people-mediation").first(),
        departments=departments,
        liaisons=liaisons,
        names=dict(User.objects.filter(kind=User.Kind.STAFF).values_list("pk", "display_name")),
    )
