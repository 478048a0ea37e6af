"""Recommendation that explains itself: a case's best mediators and studios/teams, each with its reasons.

The score adds up: specialty match, the area (the case's own center or one above it) and level served, the
channel, availability today, the current load (open cases as lead) and the track record on cases of the same
dispute type (success rate, on-time rate by the case's clocks as ``measures.handling_on_time`` reads it, and
the parties' ratings, each rating once however often the mediator led the case). Nobody who must recuse appears (a party of the
case or an interest declared with routing's 回避, the same rule as ``routing.services.conflict_reason``), nor
anyone whose credential has expired. Auto-assignment asks the same score through
``settings.MEDIATOR_RANKING`` (``rank_for_auto_assignment``), so routing never imports this app.

Every list is built from a fixed number of queries whatever the number of candidates.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Center, User
from cases.core.models import Case
from cases.core.states import OPEN_STATUSES
from routing.models import InterestDeclaration

from .credentials import EXPIRED, EXPIRING, credential_state
from .models import GroupAssignment, GroupMember, MediationGroup, MediatorProfile
from .tracks import Track, summaries_for

SPECIALTY, GENERALIST, OWN_CENTER, UPPER_CENTER, LEVEL, CHANNEL, TODAY, ON_CALL = (
    40,
    10,
    20,
    10,
    10,
    10,
    10,
    5,
)
LOAD_PENALTY, LOAD_CAP = 3, 30
TRACK_SUCCESS, TRACK_ON_TIME, TRACK_RATING = 20, 10, 4


@dataclass
class Candidate:
    """One recommended mediator (``profile``; ``user`` for one who has none) or studio/team (``group``)."""

    score: float
    reasons: list[str]
    load: int = 0
    profile: MediatorProfile | None = None
    user: User | None = None
    group: MediationGroup | None = None
    track: Track = field(default_factory=Track)
    credential_warning: str = ""

    @property
    def name(self) -> str:
        return str(self.group or self.profile or self.user)


def chain_ids(center: Center) -> list[int]:
    """The center and those above it, from its path (no query)."""
    return [int(part) for part in center.path.strip("/").split("/") if part]


def recusing_user_ids(case: Case) -> tuple[set[int], set[str]]:
    """Users who must recuse (declared interest, or a party's linked account) and the parties' ID numbers,
    in one query (the parties' rows and the declarations' as one UNION ALL)."""
    parties = case.parties.order_by().values_list("has_interest_user_id", "id_number")
    declared = (
        InterestDeclaration.objects.filter(case=case)
        .order_by()
        .values_list("user_id", Value("", output_field=CharField()))
    )
    ids, id_numbers = set(), set()
    for user_id, id_number in parties.union(declared, all=True):
        if user_id:
            ids.add(user_id)
        if id_number:
            id_numbers.add(id_number.upper())
    return ids, id_numbers


def _must_recuse(user: User, recusing: tuple[set[int], set[str]]) -> bool:
    ids, id_numbers = recusing
    return user.pk in ids or bool(user.id_number and user.id_number.upper() in id_numbers)


def _track_reasons(track: Track, type_name: str) -> tuple[float, list[str]]:
    if not track.similar:
        return 0, []
    score = TRACK_SUCCESS * track.success_rate
    figures = {"type": type_name, "n": track.similar, "success": round(track.success_rate * 100)}
    if track.on_time_rate is None:  # none of them had a legal deadline
        reason = _("同类（%(type)s）案件%(n)d件，化解率%(success)d%%") % figures
    else:
        score += TRACK_ON_TIME * track.on_time_rate
        figures["on_time"] = round(track.on_time_rate * 100)
        reason = _("同类（%(type)s）案件%(n)d件，化解率%(success)d%%，按期率%(on_time)d%%") % figures
    reasons = [reason]
    if track.rating is not None:
        score += TRACK_RATING * (track.rating - 3)
        reasons.append(_("当事人评价平均%(rating).1f分") % {"rating": track.rating})
    return score, reasons


def _profiles_qs(case: Case, chain: list[int]):
    """The active profiles with what the score asks of them for ``case``, in two queries: whether they take the
    case's dispute type, take any at all, and serve its channel (``Exists`` per row, not the whole lists), and,
    prefetched, the centers of the case's chain they serve (``chain_centers``) and their credentials."""
    specialties = MediatorProfile.specialties.through.objects.filter(mediatorprofile_id=OuterRef("pk"))
    channels = MediatorProfile.channels.through.objects.filter(mediatorprofile_id=OuterRef("pk"))
    return (
        MediatorProfile.objects.filter(active=True, user__is_active=True)
        .select_related("user")
        .annotate(
            takes_case_type=Exists(specialties.filter(disputetype_id=case.dispute_type_id)),
            takes_any_type=Exists(specialties),
            serves_case_channel=Exists(channels.filter(channel_id=case.channel_id))
            if case.channel_id
            else Value(False),
        )
        .prefetch_related(
            Prefetch(
                "centers",
                queryset=Center.objects.filter(pk__in=chain).only("pk", "name"),
                to_attr="chain_centers",
            ),
            "credentials",
        )
    )


def _score_profile(profile, case: Case, chain: list[int], today: date, load: int, track: Track) -> Candidate:
    reasons: list[str] = []
    score = 0.0
    if profile.takes_case_type:
        score += SPECIALTY
        reasons.append(_("擅长%(type)s") % {"type": case.dispute_type.name})
    elif not profile.takes_any_type:
        score += GENERALIST
        reasons.append(_("综合调解，不限纠纷类型"))
    served = {c.pk: c for c in profile.chain_centers}
    if case.center_id in served:
        score += OWN_CENTER
        reasons.append(_("服务本案承办中心（%(center)s）") % {"center": case.center.name})
    else:
        upper = [served[pk] for pk in chain if pk in served]
        if upper:
            score += UPPER_CENTER
            reasons.append(_("服务上级中心（%(center)s）") % {"center": upper[-1].name})
    if not profile.levels or case.center.level in profile.levels:
        score += LEVEL
        reasons.append(_("可承办%(level)s层级的案件") % {"level": case.center.get_level_display()})
    if profile.serves_case_channel:
        score += CHANNEL
        reasons.append(_("属%(channel)s渠道") % {"channel": case.channel.name})
    if not profile.available_days or today.weekday() in profile.available_days:
        score += TODAY
        reasons.append(_("今日可约"))
    if profile.on_call:
        score += ON_CALL
        reasons.append(_("可随叫随到"))
    extra, track_reasons = _track_reasons(track, case.dispute_type.name)
    score += extra
    reasons += track_reasons
    score -= min(LOAD_PENALTY * load, LOAD_CAP)
    reasons.append(_("当前在办%(n)d件") % {"n": load})
    state, until = credential_state(profile.credentials.all(), today)
    warning = _("证书将于%(date)s到期") % {"date": until.isoformat()} if state == EXPIRING else ""
    return Candidate(
        score, reasons, load, profile=profile, user=profile.user, track=track, credential_warning=warning
    )


def _eligible(profile, today: date, recusing) -> bool:
    return credential_state(profile.credentials.all(), today)[0] != EXPIRED and not _must_recuse(
        profile.user, recusing
    )


def recommend_mediators(case: Case, *, limit: int = 5, today: date | None = None) -> list[Candidate]:
    """The top mediators for ``case``: those serving its center or one above it, best first."""
    today = today or timezone.localdate()
    chain = chain_ids(case.center)
    through = MediatorProfile.centers.through
    profiles = list(
        _profiles_qs(case, chain).filter(
            pk__in=through.objects.filter(center_id__in=chain).values("mediatorprofile_id")
        )
    )
    recusing = recusing_user_ids(case)
    profiles = [p for p in profiles if _eligible(p, today, recusing)]
    ids = [p.user_id for p in profiles]
    loads, tracks = summaries_for(ids, case.dispute_type_id)
    ranked = [
        _score_profile(p, case, chain, today, loads.get(p.user_id, 0), tracks.get(p.user_id, Track()))
        for p in profiles
    ]
    ranked.sort(key=lambda c: (-c.score, c.load, c.user.pk))
    return ranked[:limit]


def recommend_groups(case: Case, *, limit: int = 3) -> list[Candidate]:
    """The studios and teams of the case's center or one above it, by specialty, nearness and load."""
    chain = chain_ids(case.center)
    groups = list(
        MediationGroup.objects.filter(active=True, center_id__in=chain)
        .select_related("center")
        .annotate(
            takes_case_type=Exists(
                MediationGroup.specialties.through.objects.filter(
                    mediationgroup_id=OuterRef("pk"), disputetype_id=case.dispute_type_id
                )
            ),
            member_count=Count("members", distinct=True),
            load=Count(
                "groupassignment",
                distinct=True,
                filter=Q(
                    groupassignment__ended_at__isnull=True, groupassignment__case__status__in=OPEN_STATUSES
                ),
            ),
        )
    )
    ranked = []
    for g in groups:
        reasons, score = [], 0.0
        if g.takes_case_type:
            score += SPECIALTY
            reasons.append(_("擅长%(type)s") % {"type": case.dispute_type.name})
        if g.center_id == case.center_id:
            score += OWN_CENTER
            reasons.append(_("就在本案承办中心（%(center)s）") % {"center": g.center.name})
        else:
            score += UPPER_CENTER
            reasons.append(_("属上级中心（%(center)s）") % {"center": g.center.name})
        reasons.append(_("%(kind)s，成员%(n)d人") % {"kind": g.get_kind_display(), "n": g.member_count})
        score -= min(LOAD_PENALTY * g.load, LOAD_CAP)
        reasons.append(_("当前在办%(n)d件") % {"n": g.load})
        ranked.append(Candidate(score, reasons, g.load, group=g))
    ranked.sort(key=lambda c: (-c.score, c.load, c.group.pk))
    return ranked[:limit]


def rank_for_auto_assignment(case: Case, users: list[User]) -> list[tuple[User, str]]:
    """``settings.MEDIATOR_RANKING``: routing's candidates (the channel's mediators at the case's center, recusal
    already applied) in this ranking's order, each with its reasons; expired credentials are left out. A
    mediator without a profile is ranked by load alone."""
    today = timezone.localdate()
    chain = chain_ids(case.center)
    ids = [u.pk for u in users]
    profiles = {p.user_id: p for p in _profiles_qs(case, chain).filter(user_id__in=ids)}
    recusing = recusing_user_ids(case)
    loads, tracks = summaries_for(ids, case.dispute_type_id)
    ranked: list[Candidate] = []
    for user in users:
        profile = profiles.get(user.pk)
        if _must_recuse(user, recusing):
            continue
        if profile is None:
            load = loads.get(user.pk, 0)
            ranked.append(
                Candidate(
                    -min(LOAD_PENALTY * load, LOAD_CAP), [_("当前在办%(n)d件") % {"n": load}], load, user=user
                )
            )
        elif _eligible(profile, today, recusing):
            ranked.append(
                _score_profile(
                    profile, case, chain, today, loads.get(user.pk, 0), tracks.get(user.pk, Track())
                )
            )
    ranked.sort(key=lambda c: (-c.score, c.load, c.user.pk))
    return [(c.user, "；".join(c.reasons)) for c in ranked]


def group_members(group: MediationGroup) -> list[GroupMember]:
    return list(group.members.select_related("profile__user").order_by("role", "pk"))


def members_of_groups(groups: list[MediationGroup]) -> dict[int, list[GroupMember]]:
    """Each of ``groups``' members, as ``group_members`` orders them, in one query."""
    found: dict[int, list[GroupMember]] = {g.pk: [] for g in groups}
    for member in (
        GroupMember.objects.filter(group_id__in=found)
        .select_related("profile__user")
        .order_by("group_id", "role", "pk")
    ):
        found[member.group_id].append(member)
    return found


def active_group_assignment(case: Case) -> GroupAssignment | None:
    return (
        GroupAssignment.objects.filter(case=case, ended_at__isnull=True)
        .select_related("group", "lead")
        .first()
    )
