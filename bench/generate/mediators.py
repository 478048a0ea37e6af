"""The mediator library's rows: a profile for every generated mediator, plus outside experts (one per
county, a doctor or a lawyer with an account and no membership), a studio per county and a 1+1+N team per
town. Idempotent: users who already have a profile are skipped, so an older database is topped up."""

import random
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Center, Membership, User
from cases.core.models import DisputeType
from mediators.models import Credential, GroupMember, MediationGroup, MediatorProfile

KINDS = [k for k, _ in MediatorProfile.Kind.choices]


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
    missing = [c for c in counties if not User.objects.filter(username=f"expert{c}").exists()]
    experts = User.objects.bulk_create(
        [User(username=f"expert{c}", display_name=f"专家{c}", kind=User.Kind.STAFF) for c in missing]
    )
    expert_centers = {u.pk: c for u, c in zip(experts, missing, strict=True)}
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
        rows.append(
            MediatorProfile(
                user_id=user.pk,
                kind=rng.choice(["specialist", "lawyer", "legal_aid"]),
                outside_expert=True,
                is_public=True,
                on_call=True,
            )
        )
        centers_of[user.pk] = expert_centers[user.pk]
    profiles = MediatorProfile.objects.bulk_create(rows, batch_size=2000)
    MediatorProfile.centers.through.objects.bulk_create(
        [
            MediatorProfile.centers.through(mediatorprofile_id=p.pk, center_id=centers_of[p.user_id])
            for p in profiles
        ],
        batch_size=5000,
    )
    MediatorProfile.specialties.through.objects.bulk_create(
        [
            MediatorProfile.specialties.through(mediatorprofile_id=p.pk, disputetype_id=t)
            for p in profiles
            for t in rng.sample(types, k=min(len(types), rng.choice([0, 1, 2, 3])))
        ],
        batch_size=5000,
    )
    Credential.objects.bulk_create(
        [
            Credential(
                profile_id=p.pk,
                kind="mediator_cert",
                number=f"RMTJ-{p.pk:07d}",
                expires_on=today + timedelta(days=rng.randint(-60, 1500)),  # a few expired, some expiring
            )
            for p in profiles
        ],
        batch_size=5000,
    )
    by_center: dict[int, list[int]] = {}
    for p in profiles:
        by_center.setdefault(centers_of[p.user_id], []).append(p.pk)
    groups = []
    for center_id, kind in [(c, "studio") for c in counties] + [
        (c, "team") for c in Center.objects.filter(level=Center.Level.TOWN).values_list("pk", flat=True)
    ]:
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
    GroupMember.objects.bulk_create(
        [
            GroupMember(group_id=g.pk, profile_id=pk, role="member")
            for g in groups
            for pk in by_center[g.center_id][:5]
        ]
    )
    with connection.cursor() as cursor:  # fresh statistics: the planner's guesses on empty tables hash-join
        for model in (MediatorProfile, MediatorProfile.centers.through, MediatorProfile.specialties.through,
                      Credential, MediationGroup, GroupMember):  # fmt: skip
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return len(profiles)
