"""The mediator library's rows: a profile for every generated mediator, plus outside experts with accounts
of their own and no membership — per county the 三官一律 (a judge, a prosecutor, a police officer, a
lawyer), a legal-aid lawyer, a doctor and an engineer; per town a 五老 volunteer and a 乡贤 — each with the
specialties, credential, hours and introduction of their kind; a studio per county and a 1+1+N team per
town. Idempotent: users who already have a profile (or an expert's username) are skipped, so an older
database is topped up."""

import random
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Center, Membership, User
from bench.generate.people import person_name
from cases.core.models import DisputeType
from mediators.models import Credential, GroupMember, MediationGroup, MediatorProfile

KINDS = [k for k, _ in MediatorProfile.Kind.choices]


class Expert:
    def __init__(
        self, key, kind, title, specialties, credential, prefix, *, on_call=False, days=(0, 1, 2, 3, 4)
    ):
        self.key, self.kind, self.title, self.specialties = key, kind, title, specialties
        self.credential, self.prefix, self.on_call, self.days = credential, prefix, on_call, list(days)


# Outside experts of a county center (``expert<county id>`` is the first, as in databases made before).
COUNTY_EXPERTS = [
    Expert("doctor", "specialist", "县人民医院主任医师", ["medical"], "professional", "YS", on_call=True),
    Expert("judge", "judge", "县人民法院驻中心法官", ["contract", "family", "damages"], "other", "FG"),
    Expert(
        "prosecutor",
        "prosecutor",
        "县人民检察院检察官",
        ["requisition", "pollution", "damages"],
        "other",
        "JC",
    ),
    Expert(
        "police",
        "police",
        "县公安局派驻民警",
        ["neighbour", "traffic", "damages"],
        "other",
        "JG",
        on_call=True,
    ),
    Expert(
        "lawyer", "lawyer", "律师事务所执业律师", ["contract", "business", "property"], "bar_licence", "LS"
    ),
    Expert(
        "legal_aid", "legal_aid", "县法律援助中心律师", ["labour", "family", "traffic"], "legal_aid", "FY"
    ),
    Expert(
        "engineer",
        "specialist",
        "住建系统高级工程师",
        ["housing", "property", "requisition"],
        "professional",
        "GC",
    ),
]
# Outside experts of a town center, members of its 1+1+N team.
TOWN_EXPERTS = [
    Expert("wulao", "wulao", "退休教师（五老志愿者）", ["family", "neighbour", "land_contracting"], "mediator_cert",
           "RMTJ", days=(0, 2, 4, 5)),
    Expert("xiangxian", "xiangxian", "本镇乡贤", ["neighbour", "forest_land", "housing"], "mediator_cert", "RMTJ",
           days=(5, 6)),
]  # fmt: skip


ROLE_OF = {"xiangxian": "xiangxian", "lawyer": "lawyer", "legal_aid": "lawyer"}


def _members(profile_ids: list[int], roles: dict[int, str]) -> list[int]:
    """A group's five members: up to three of its center's outside experts, then its staff mediators."""
    experts = [pk for pk in profile_ids if pk in roles][:3]
    return (experts + [pk for pk in profile_ids if pk not in roles])[:5]


def _expert_username(center_id: int, expert: Expert, first: bool) -> str:
    return f"expert{center_id}" if first else f"expert{center_id}_{expert.key}"


@transaction.atomic
def generate_profiles(seed: int = 2026, today: date | None = None) -> int:
    """Create the missing profiles; returns how many were added."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    types = list(DisputeType.objects.values_list("pk", flat=True))
    have = set(MediatorProfile.objects.values_list("user_id", flat=True))
    members = [
        (user_id, center_id, level)
        for user_id, center_id, level in Membership.objects.filter(role=Membership.Role.MEDIATOR)
        .order_by("user_id")
        .values_list("user_id", "center_id", "center__level")
        if user_id not in have
    ]
    counties = list(Center.objects.filter(level=Center.Level.COUNTY).values_list("pk", flat=True))
    towns = list(Center.objects.filter(level=Center.Level.TOWN).values_list("pk", flat=True))
    wanted = {
        _expert_username(c, e, first=i == 0 and roster is COUNTY_EXPERTS): (c, e)
        for roster, centers in ((COUNTY_EXPERTS, counties), (TOWN_EXPERTS, towns))
        for c in centers
        for i, e in enumerate(roster)
    }
    existing = set(User.objects.filter(username__in=list(wanted)).values_list("username", flat=True))
    missing = [(name, *wanted[name]) for name in wanted if name not in existing]
    experts = User.objects.bulk_create(
        [
            User(username=name, display_name=person_name(rng), kind=User.Kind.STAFF)
            for name, _c, _e in missing
        ],
        batch_size=2000,
    )
    names = dict(Center.objects.filter(pk__in={c for _n, c, _e in missing}).values_list("pk", "name"))
    expert_of = {u.pk: (c, e) for u, (_name, c, e) in zip(experts, missing, strict=True)}
    rows, centers_of = [], {}
    for user_id, center_id, level in members:
        kind = rng.choice(KINDS[:5] + KINDS[-1:]) if level > 1 else rng.choice(KINDS)
        rows.append(
            MediatorProfile(
                user_id=user_id,
                kind=kind,
                is_public=rng.random() < 0.6,
                available_days=[0, 1, 2, 3, 4],
                levels=[level],
            )
        )
        centers_of[user_id] = center_id
    for user in experts:
        center_id, expert = expert_of[user.pk]
        rows.append(
            MediatorProfile(
                user_id=user.pk,
                kind=expert.kind,
                outside_expert=True,
                is_public=True,
                on_call=expert.on_call,
                available_days=expert.days,
                available_hours="8:30-17:00" if expert.days[0] == 0 else "9:00-12:00",
                languages="普通话、当地方言",
                intro=f"{user.display_name}，{expert.title}，应邀参与{names.get(center_id, '')}的矛盾纠纷调解。",
            )
        )
        centers_of[user.pk] = center_id
    profiles = MediatorProfile.objects.bulk_create(rows, batch_size=2000)
    MediatorProfile.centers.through.objects.bulk_create(
        [
            MediatorProfile.centers.through(mediatorprofile_id=p.pk, center_id=centers_of[p.user_id])
            for p in profiles
        ],
        batch_size=5000,
    )
    type_of = dict(DisputeType.objects.values_list("code", "pk"))

    def specialties(p):
        if p.user_id in expert_of:
            return [type_of[code] for code in expert_of[p.user_id][1].specialties if code in type_of]
        return rng.sample(types, k=min(len(types), rng.choice([0, 1, 2, 3])))

    MediatorProfile.specialties.through.objects.bulk_create(
        [
            MediatorProfile.specialties.through(mediatorprofile_id=p.pk, disputetype_id=t)
            for p in profiles
            for t in specialties(p)
        ],
        batch_size=5000,
    )

    def credential(p):
        kind, prefix = ("mediator_cert", "RMTJ")
        if p.user_id in expert_of:
            expert = expert_of[p.user_id][1]
            kind, prefix = expert.credential, expert.prefix
        return Credential(
            profile_id=p.pk,
            kind=kind,
            number=f"{prefix}-{p.pk:07d}",
            expires_on=today + timedelta(days=rng.randint(-60, 1500)),  # a few expired, some expiring
        )

    Credential.objects.bulk_create([credential(p) for p in profiles], batch_size=5000)
    by_center: dict[int, list[int]] = {}
    for p in profiles:
        by_center.setdefault(centers_of[p.user_id], []).append(p.pk)
    groups = []
    for center_id, kind in [(c, "studio") for c in counties] + [(c, "team") for c in towns]:
        if (
            by_center.get(center_id)
            and not MediationGroup.objects.filter(center_id=center_id, kind=kind).exists()
        ):
            groups.append(
                MediationGroup(
                    kind=kind,
                    center_id=center_id,
                    name=f"{'工作室' if kind == 'studio' else '1+1+N 团队'}{center_id}",
                )
            )
    groups = MediationGroup.objects.bulk_create(groups)
    roles = {
        p.pk: ROLE_OF.get(expert_of[p.user_id][1].key, "member") for p in profiles if p.user_id in expert_of
    }
    GroupMember.objects.bulk_create(
        [
            GroupMember(group_id=g.pk, profile_id=pk, role=roles.get(pk, "member"))
            for g in groups
            for pk in _members(by_center[g.center_id], roles)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:  # fresh statistics: the planner's guesses on empty tables hash-join
        for model in (MediatorProfile, MediatorProfile.centers.through, MediatorProfile.specialties.through,
                      Credential, MediationGroup, GroupMember):  # fmt: skip
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return len(profiles)
