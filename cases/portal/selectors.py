"""Reads for the citizen portal: which cases a citizen may see, appointments, ratings (the documents a
party may download are the registry's, ``cases.documents.registry``)."""

import functools
from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.access import roles_of
from accounts.models import Center, Membership, User
from cases.core.access import may_verify_identity
from cases.core.models import Case, Party
from cases.core.states import FINISHED_STATUSES, Status
from cases.portal.models import Appointment, CaseMessage, Consultation, HomeVisitRequest, Rating

Role = Membership.Role


# --- The portal home ---------------------------------------------------------------------------
def home_centers() -> list[Center]:
    """The centers the portal home presents: the top of the tree (the county center that runs the
    portal), with the contact details administrators keep on the center's record. One query."""
    return list(Center.objects.filter(parent__isnull=True).order_by("path")[:3])


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


def conversation_section(
    case: Case, *, can_post: bool, messages: list[CaseMessage] | None = None
) -> ConversationSection:
    """``can_post`` is the case page's ``can_change`` (staff who may change the case may answer);
    ``messages``: ``case_messages``' rows, already loaded by the page (with their author and attachment)."""
    if messages is None:
        messages = list(case_messages(case))
    return ConversationSection(messages=messages, can_post=can_post)


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


@functools.cache
def _next_steps(language: str | None) -> dict[str, str]:
    return {status: str(words) for status, words in NEXT_STEPS.items()}


def next_step_for(case: Case) -> str:
    """What happens next, in the active language (translated once per process and language)."""
    return _next_steps(get_language()).get(case.status, "")


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


# --- The citizen's status page ----------------------------------------------------------------
# The stages that matter to a citizen, in order; each case status sits at one of them.
CITIZEN_STAGES = [
    ("accepted", _("已受理")),
    ("routed", _("已分流")),
    ("mediating", _("调解中")),
    ("ended", _("已达成协议/已终结")),
    ("closed", _("已办结")),
    ("visited", _("回访")),
]
_STAGE_OF = {
    Status.SUBMITTED: 0,
    Status.REGISTERED: 0,
    Status.ROUTED: 1,
    Status.IN_MEDIATION: 2,
    Status.CONCLUDED: 3,
    Status.EVALUATED: 3,
    Status.CLOSED: 4,
}
STAGE_WORDS = {
    Status.SUBMITTED: _("您的网上申请已提交，中心正在审核，尚未受理。"),
    Status.REGISTERED: _("您的案件已受理，中心正在确定由哪个调解组织或部门承办。"),
    Status.ROUTED: _("您的案件已交给承办单位，承办人员将联系各方安排调解。"),
    Status.IN_MEDIATION: _("调解正在进行中。"),
    Status.CONCLUDED: _("调解已结束，中心正在对办理情况进行评估。"),
    Status.EVALUATED: _("调解已结束，评估已完成，等待结案。"),
    Status.CLOSED: _("案件已办结。"),
    Status.NOT_ACCEPTED: _("您的申请未被受理。"),
}


@dataclass(frozen=True)
class Step:
    label: str
    state: str  # done, current, todo


@dataclass(frozen=True)
class Extension:
    on: date
    length: int
    unit: str
    clock: str
    reason: str


@dataclass(frozen=True)
class CitizenProgress:
    """What the status page tells a party about where the case stands (``citizen_progress``)."""

    steps: list[Step]
    words: str
    deadlines: object  # cases.warnings.selectors.CaseDeadlines, the citizen-facing clocks
    provisional_years: list[int]
    extensions: list[Extension]
    outcome: str
    outcome_reason: str
    routes: list[str]  # a terminated case: the routes left to the parties
    terms: list  # the effective agreement's terms
    oral_terms: str
    confirmation_due: (
        object  # the judicial-confirmation window's end (a datetime), when an agreement took effect
    )
    confirmation_provisional: bool
    ended: bool


def status_querysets(case: Case) -> dict[str, QuerySet]:
    """Everything the status page shows beyond the case row and its parties, as querysets of their own rows,
    to be read in one statement (``cases.core.batch``) and put together by ``citizen_progress`` and the view:
    the public timeline (never internal notes, remarks or contact details), the agreements not voided (the
    newest is ``current_agreement``'s, the documents' rule; the newest in effect the progress's), their
    terms, the oral agreement, the latest termination notice, the clocks with their extensions and whether
    a follow-up visit was made."""
    from cases.lifecycle.models import AgreementTerm
    from cases.warnings.clocks import case_clocks
    from cases.warnings.models import ClockExtension

    return {
        "public_events": public_timeline(case),
        "agreements": case.agreements.filter(voided=False).order_by("-created_at", "-pk"),
        "terms": AgreementTerm.objects.filter(agreement__case=case, agreement__voided=False),
        "oral_agreement": case.oral_agreements.order_by("-agreed_on")[:1],
        "notice": case.termination_notices.all()[:1],
        "clocks": case_clocks(case),
        "extensions": ClockExtension.objects.filter(clock__case=case).order_by("approved_at", "pk"),
        "visited": case.follow_ups.filter(visited_at__isnull=False).order_by("pk")[:1],
    }


def status_rows(case: Case) -> dict[str, list]:
    """The rows of ``status_querysets``: as the status lookup read them with its audit row
    (``case.status_rows``), else in one statement now. The clocks carry their extensions."""
    from cases.core.batch import load_together, set_prefetched

    rows = getattr(case, "status_rows", None)
    if rows is None:
        rows = case.status_rows = load_together(status_querysets(case))
    for clock in rows["clocks"]:
        set_prefetched(clock, "extensions", [e for e in rows["extensions"] if e.clock_id == clock.pk])
    return rows


@functools.cache
def _stage_labels(language: str | None) -> tuple[str, ...]:
    """The step bar's labels as translated, once per process and language (six translations per lookup)."""
    return tuple(str(label) for _code, label in CITIZEN_STAGES)


@functools.cache
def _stage_words(language: str | None) -> dict[str, str]:
    return {status: str(words) for status, words in STAGE_WORDS.items()}


@functools.cache
def _outcome_labels(language: str | None) -> dict[str, str]:
    """Each outcome's label as translated, once per process and language."""
    from cases.core.states import Outcome

    return {value: str(label) for value, label in Outcome.choices}


def citizen_progress(case: Case, *, now=None) -> CitizenProgress:
    """The step bar, the stage in plain words, the headline deadline, every extension and, for an ended
    case, its outcome, the agreement's terms and the judicial-confirmation window (``status_rows``: one
    statement, none when the status lookup read them)."""
    from cases.core.states import Outcome
    from cases.core.workcalendar import WorkCalendar, local_date
    from cases.warnings.clocks import case_deadlines

    rows = status_rows(case)
    deadlines = case_deadlines(case, now=now, citizen=True, clocks=rows["clocks"])
    at = _STAGE_OF.get(case.status)
    visited = case.status == Status.CLOSED and bool(rows["visited"])
    steps = []
    language = get_language()
    for i, label in enumerate(_stage_labels(language)):
        if case.status == Status.CLOSED:  # every stage done; the follow-up visit once it was made
            state = "done" if i < 5 or visited else "todo"
        elif at is None:  # not accepted: no stage reached
            state = "todo"
        else:
            state = "done" if i < at else "current" if i == at else "todo"
        steps.append(Step(label, state))
    if case.status == Status.SUBMITTED:
        steps[0] = Step(str(_("待受理")), "current")
    if case.outcome in Outcome.resolved():
        steps[3] = Step(str(_("已达成协议")), steps[3].state)
    elif case.outcome:
        steps[3] = Step(str(_("已终结")), steps[3].state)
    years: list[int] = []
    headline = deadlines.headline
    if headline is not None and headline.provisional:
        calendar = WorkCalendar()
        years = [
            y
            for y in range(local_date(headline.started_at).year, local_date(headline.due_at).year + 1)
            if not calendar.is_official(y)
        ]
    units = {c.pk: c for c in deadlines.all_clocks}
    extensions = [
        Extension(
            on=local_date(e.approved_at),
            length=e.length,
            unit=units[e.clock_id].get_unit_display(),
            clock=units[e.clock_id].name,
            reason=e.reason,
        )
        for e in deadlines.extensions
    ]
    # The newest agreement in effect (by effective day, then id), with its terms in their order.
    agreement = max(
        (a for a in rows["agreements"] if a.effective_on is not None),
        key=lambda a: (a.effective_on, a.pk),
        default=None,
    )
    terms = [t for t in rows["terms"] if agreement and t.agreement_id == agreement.pk]
    oral = (
        rows["oral_agreement"][0]
        if rows["oral_agreement"] and case.outcome == Outcome.ORAL_AGREEMENT
        else None
    )
    notice = (
        rows["notice"][0]
        if rows["notice"] and case.outcome and case.outcome not in Outcome.resolved()
        else None
    )
    window = next((c for c in deadlines.all_clocks if c.code == "judicial-confirmation"), None)
    return CitizenProgress(
        steps=steps,
        words=_stage_words(language).get(case.status, ""),
        deadlines=deadlines,
        provisional_years=years,
        extensions=extensions,
        outcome=_outcome_labels(language).get(case.outcome, ""),
        outcome_reason=case.outcome_reason,
        routes=notice.route_labels() if notice else [],
        terms=terms,
        oral_terms=oral.content if oral else "",
        confirmation_due=window.due_at if window and agreement else None,
        confirmation_provisional=bool(window and window.provisional),
        ended=case.status in FINISHED_STATUSES,
    )
