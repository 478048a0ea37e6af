"""Reads for the citizen portal: which cases a citizen may see, appointments, ratings (the documents a
party may download are the registry's, ``cases.documents.registry``)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.access import roles_of
from accounts.models import Center, Membership, User
from cases.core.access import may_verify_identity
from cases.core.models import Case, Party
from cases.core.states import Status
from cases.portal.models import Appointment, CaseMessage, Consultation, HomeVisitRequest, Rating

Role = Membership.Role


# --- Citizens and their cases -------------------------------------------------------------
def citizen_party_q(user: User, prefix: str = "") -> Q:
    """Party rows that are this citizen — the one rule of "cases of this citizen".

    Two kinds of evidence only: the party's phone is the one the citizen proved by SMS, or the party's
    ID number is one staff checked in person (``Party.identity_verified_at``: a counter registration or
    a clerk's 核验身份) on a party with that same phone. An ID number pushed by a hotline, grid or
    petition system, or typed into an online form, is what someone said: it never links, or one push
    with a victim's ID number and the attacker's phone would hand the attacker the victim's cases.
    """
    if not user.is_authenticated or user.kind != User.Kind.CITIZEN or not user.phone:
        return Q(pk__in=[])
    verified_ids = (
        Party.objects.filter(phone=user.phone, identity_verified_at__isnull=False)
        .exclude(id_number="")
        .values("id_number")
    )
    return Q(**{f"{prefix}phone": user.phone}) | Q(**{f"{prefix}id_number__in": verified_ids})


def cases_for_citizen(user: User) -> QuerySet[Case]:
    parties = Party.objects.filter(citizen_party_q(user))
    return (
        Case.objects.filter(pk__in=parties.values("case_id"))
        .select_related("dispute_type", "center")
        .order_by("-created_at")
    )


def get_case_for_citizen(user: User, tracking_code: str) -> Case:
    """The citizen's own case by tracking code; 404 for any other (same as a missing one)."""
    case = cases_for_citizen(user).filter(tracking_code=tracking_code).first()
    if case is None:
        raise Http404
    return case


def citizen_parties(user: User, case: Case) -> list[Party]:
    return list(case.parties.filter(citizen_party_q(user)))


def case_messages(case: Case) -> QuerySet[CaseMessage]:
    return case.messages.select_related("author", "attachment")


@dataclass(frozen=True)
class ConversationSection:
    """The staff case page's 在线调解沟通 card."""

    messages: list[CaseMessage]
    can_post: bool


def conversation_section(case: Case, *, can_post: bool) -> ConversationSection:
    """``can_post`` is the case page's ``can_change`` (staff who may change the case may answer)."""
    return ConversationSection(messages=list(case_messages(case)), can_post=can_post)


@dataclass(frozen=True)
class IdentitySection:
    """The staff case page's 当事人身份核验 card: which parties' ID numbers staff saw in person; only
    those link a portal citizen to this case."""

    parties: list[Party]
    may_verify: bool


def identity_section(case: Case, user: User, *, parties: list[Party]) -> IdentitySection:
    """``parties`` are the case's, loaded once by the case page."""
    return IdentitySection(
        parties=[p for p in parties if p.id_number], may_verify=may_verify_identity(user, case)
    )


# --- Status lookup ----------------------------------------------------------------------------
NEXT_STEPS = {
    Status.SUBMITTED: _("中心工作人员将审核您的网上申请，并告知是否受理。"),
    Status.REGISTERED: _("中心将根据纠纷类型把案件分流到相应的调解组织或部门。"),
    Status.ROUTED: _("承办单位将联系各方当事人，安排调解。"),
    Status.IN_MEDIATION: _("调解员正在组织调解，请保持电话畅通，按约定时间参加调解。"),
    Status.CONCLUDED: _("调解工作已完成，中心将对办理情况进行评估后结案。"),
    Status.EVALUATED: _("评估已完成，等待结案。"),
    Status.CLOSED: _("案件已办结，欢迎对我们的服务进行评价。"),
    Status.NOT_ACCEPTED: _("您的申请未被受理，可按说明通过其他途径解决。"),
}


def next_step_for(case: Case) -> str:
    return str(NEXT_STEPS.get(case.status, ""))


def public_timeline(case: Case) -> QuerySet:
    """Only events marked public: never internal notes, remarks or contact details."""
    return case.events.filter(is_public=True).only("type", "created_at", "case_id")


# --- Staff side ------------------------------------------------------------------------------
def _center_q(user: User, field: str, *roles: str) -> Q:
    """Rows at centers where the user holds one of ``roles``; supervisors and admins also see below."""
    user_roles = roles_of(user)
    q = user_roles.subtree_q(field, *[r for r in roles if r in (Role.SUPERVISOR, Role.ADMIN)])
    local = [c.pk for c in user_roles.centers(*[r for r in roles if r not in (Role.SUPERVISOR, Role.ADMIN)])]
    if local:
        q |= Q(**{f"{field}__in": local})
    return q


CONSULTATION_READERS = (Role.CLERK, Role.MEDIATOR, Role.SUPERVISOR, Role.ADMIN)
CONSULTATION_ANSWERERS = (Role.CLERK, Role.SUPERVISOR, Role.ADMIN)
COUNTER_READERS = (Role.CLERK, Role.MEDIATOR, Role.SUPERVISOR, Role.ADMIN)
COUNTER_WRITERS = (Role.CLERK, Role.SUPERVISOR, Role.ADMIN)
RATING_READERS = (Role.SUPERVISOR, Role.ADMIN)


def consultations_for_staff(user: User, *roles: str) -> QuerySet[Consultation]:
    return (
        Consultation.objects.filter(_center_q(user, "center", *(roles or CONSULTATION_READERS)))
        .select_related("center", "citizen", "dispute_type", "answered_by")
        .order_by("answered_at", "-created_at")
    )


def appointments_for_staff(user: User, *roles: str) -> QuerySet[Appointment]:
    return Appointment.objects.filter(_center_q(user, "slot__center", *(roles or COUNTER_READERS)))


def appointments_for_counter(user: User, day: date, *roles: str) -> QuerySet[Appointment]:
    return (
        appointments_for_staff(user, *roles)
        .filter(slot__date=day)
        .exclude(state=Appointment.State.CANCELLED)
        .select_related("slot", "slot__center", "case")
        .order_by("slot__start", "created_at")
    )


def home_visits_for_counter(user: User, *roles: str) -> QuerySet[HomeVisitRequest]:
    return (
        HomeVisitRequest.objects.filter(_center_q(user, "center", *(roles or COUNTER_READERS)))
        .exclude(state__in=[HomeVisitRequest.State.DONE, HomeVisitRequest.State.CANCELLED])
        .select_related("center")
    )


def may_read_counter(user: User) -> bool:
    return roles_of(user).has(*COUNTER_READERS)


def ratings_for_supervisor(user: User) -> QuerySet[Rating]:
    return Rating.objects.filter(_center_q(user, "case__center", *RATING_READERS)).select_related(
        "case", "case__center", "party", "followed_up_by"
    )


def satisfaction_summary(ratings: QuerySet[Rating]) -> dict:
    """满意率: share of ratings at 基本满意 or better, with the count and the average score."""
    figures = ratings.aggregate(
        total=Count("pk"),
        satisfied=Count("pk", filter=Q(score__gte=Rating.Score.BASICALLY_SATISFIED)),
        avg=Avg("score"),
    )
    total = figures["total"]
    return {
        "total": total,
        "satisfied": figures["satisfied"],
        "rate": round(100 * figures["satisfied"] / total, 1) if total else None,
        "average": round(figures["avg"], 2) if figures["avg"] is not None else None,
    }


def centers_for_portal() -> QuerySet[Center]:
    return Center.objects.order_by("path")


def messages_prefetch() -> Prefetch:
    return Prefetch("messages", queryset=CaseMessage.objects.select_related("author", "attachment"))
