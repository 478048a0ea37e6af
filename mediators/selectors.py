"""Reads of the mediator library at a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.access import roles_of
from accounts.models import Membership, User
from cases.core.access import cases_visible_to, is_staff_user
from cases.core.models import Case
from cases.core.states import OPEN_STATUSES

from .access import groups_visible_to, profiles_visible_to, requests_visible_to, supervises_measures
from .credentials import EXPIRED, EXPIRING, EXPIRY_WARNING_DAYS, credential_state
from .models import Credential, GroupAssignment, GroupMember, MediationGroup, MediatorProfile, MediatorRequest

Role = Membership.Role


@dataclass
class ProfileRow:
    profile: MediatorProfile
    state: str
    until: date | None


def library_profiles(
    user: User, *, kind: str = "", specialty: int | None = None, today=None
) -> list[ProfileRow]:
    """Every profile the user may read, with its credential state (expired / expiring flagged)."""
    today = today or timezone.localdate()
    profiles = (
        profiles_visible_to(user)
        .select_related("user")
        .prefetch_related("centers", "specialties", "credentials")
    )
    if kind:
        profiles = profiles.filter(kind=kind)
    if specialty:
        profiles = profiles.filter(specialties=specialty)
    return [ProfileRow(p, *credential_state(p.credentials.all(), today)) for p in profiles.order_by("pk")]


def library_groups(user: User) -> QuerySet[MediationGroup]:
    return (
        groups_visible_to(user)
        .select_related("center")
        .prefetch_related("specialties", Prefetch("members", queryset=_members()))
    )


def _members() -> QuerySet[GroupMember]:
    return GroupMember.objects.select_related("profile__user").order_by("role", "pk")


def credential_flags(user: User, *, today=None) -> list[ProfileRow]:
    """For a supervisor: the mediators serving their centers whose credential expires within 30 days or has
    expired (not recommended until renewed)."""
    if not supervises_measures(user):
        return []
    today = today or timezone.localdate()
    centers = roles_of(user).subtree_center_ids(Role.SUPERVISOR, Role.ADMIN)
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    through = MediatorProfile.centers.through
    profiles = (
        MediatorProfile.objects.filter(
            active=True,
            pk__in=through.objects.filter(center_id__in=centers).values("mediatorprofile_id"),
        )
        .filter(pk__in=Credential.objects.filter(expires_on__lte=soon).values("profile_id"))
        .select_related("user")
        .prefetch_related("credentials")
    )
    rows = [ProfileRow(p, *credential_state(p.credentials.all(), today)) for p in profiles]
    return sorted((r for r in rows if r.state in (EXPIRED, EXPIRING)), key=lambda r: (r.until, r.profile.pk))


def public_directory(*, specialty: int | None = None, level: int | None = None, center_ids=None):
    """The portal's directory: public profiles and studios/teams (querysets, to page), optionally by specialty,
    level, or the centers they serve (a case's center and those above it)."""
    from .access import public_groups, public_profiles

    profiles = public_profiles().select_related("user").prefetch_related("specialties", "centers")
    groups = public_groups().select_related("center").prefetch_related("specialties")
    through = MediatorProfile.centers.through
    if specialty:
        profiles = profiles.filter(
            pk__in=MediatorProfile.specialties.through.objects.filter(disputetype_id=specialty).values(
                "mediatorprofile_id"
            )
        )
        groups = groups.filter(specialties=specialty)
    if level:
        profiles = profiles.filter(
            pk__in=through.objects.filter(center__level=level).values("mediatorprofile_id")
        )
        groups = groups.filter(center__level=level)
    if center_ids is not None:
        profiles = profiles.filter(
            pk__in=through.objects.filter(center_id__in=center_ids).values("mediatorprofile_id")
        )
        groups = groups.filter(center_id__in=center_ids)
    return profiles.order_by("pk"), groups.order_by("kind", "name", "pk")


def group_cases_for(user: User) -> QuerySet[Case]:
    """Open cases given to the studios and teams the user belongs to, or granted to the user alone (an outside
    expert's cases): the cases they reach through per-case grants, as ``cases_visible_to`` decides."""
    if not is_staff_user(user):
        return Case.objects.none()
    group_ids = GroupMember.objects.filter(profile__user=user).values("group_id")
    in_groups = GroupAssignment.objects.filter(group_id__in=group_ids, ended_at__isnull=True).values(
        "case_id"
    )
    cases = cases_visible_to(user).filter(status__in=OPEN_STATUSES)
    mine = cases.filter(pk__in=in_groups)
    if not roles_of(user).names:  # an outside expert: every case granted to them
        mine = cases
    return mine.select_related("dispute_type", "center").order_by("-warning_level", "due_at", "pk")


def pending_requests(user: User) -> QuerySet[MediatorRequest]:
    return (
        requests_visible_to(user)
        .select_related("case", "case__center", "case__dispute_type", "profile__user", "group", "decided_by")
        .order_by("state", "-requested_at", "-pk")
    )


def work_counts(user: User, roles, center_ids: list[int] | None) -> dict[str, int]:
    """settings.WORK_COUNT_PROVIDERS: the requests waiting for an answer and the flagged credentials."""
    if not roles.has(Role.SUPERVISOR, Role.ADMIN, Role.CLERK):
        return {}
    pending = requests_visible_to(user).filter(state=MediatorRequest.State.PENDING)
    if center_ids is not None:
        pending = pending.filter(case__center_id__in=center_ids)
    found = {"mediator_requests": pending.count()}
    if roles.has(Role.SUPERVISOR, Role.ADMIN):
        found["credentials_flagged"] = len(credential_flags(user))
    return found


def requests_visible_to_anyone(user: User) -> bool:
    """Whether the user answers requests anywhere (supervisor, admin or clerk)."""
    return is_staff_user(user) and roles_of(user).has(Role.SUPERVISOR, Role.ADMIN, Role.CLERK)


credential_state = credential_state  # re-exported for the profile page
