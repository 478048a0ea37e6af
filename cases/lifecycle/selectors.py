"""Reads for the mediation lifecycle: what a case page shows and which actions a user may take."""

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.access import roles_of
from accounts.models import Membership, User
from cases.core.access import cases_visible_to, get_case_for_user, supervises
from cases.core.models import Case
from cases.core.states import (
    CLOSABLE_STATUSES,
    ENDED_STATUSES,
    WORKING_STATUSES,
    Status,
    can_move,
    outcomes_from,
)
from cases.lifecycle.models import (
    Agreement,
    AgreementSignature,
    AgreementTerm,
    Evaluation,
    FollowUpVisit,
    MediationSession,
    OralAgreement,
    ReviewerDesignation,
    TerminationNotice,
)
from routing.models import CaseAssignment
from routing.selectors import assignments_of

Role = Membership.Role


# --- who may act -------------------------------------------------------------------------


def is_case_mediator(user: User, case: Case) -> bool:
    """Whether ``user`` is one of the case's mediators: an active assignment (lead or co-mediator),
    or an outside mediator given write access to this case by a per-case grant."""
    if not getattr(user, "is_authenticated", False):
        return False
    if CaseAssignment.objects.filter(case=case, mediator=user, ended_at__isnull=True).exists():
        return True
    return user.has_perm("cases.change_case", case)


def is_case_reviewer(user: User, case: Case) -> bool:
    """A supervisor of the case, or a reviewer a supervisor designated for it."""
    if supervises(user, case.center):
        return True
    return (
        getattr(user, "is_authenticated", False)
        and ReviewerDesignation.objects.filter(case=case, reviewer=user).exists()
    )


def current_agreement(case: Case) -> Agreement | None:
    return case.agreements.filter(voided=False).order_by("-created_at", "-pk").first()


def sessions_of(case: Case) -> QuerySet[MediationSession]:
    return case.sessions.select_related("recorded_by").prefetch_related("parties", "mediators")


def agreement_of(case: Case) -> Agreement | None:
    """The current (not voided) written agreement with its terms and signatures loaded."""
    # The same choice as current_agreement, loaded with its parts in one pass.
    return (
        case.agreements.filter(voided=False)
        .select_related("mediator_signed_by", "case")
        .prefetch_related("terms", "signatures__party")
        .order_by("-created_at", "-pk")
        .first()
    )


def follow_ups_of(case: Case) -> QuerySet[FollowUpVisit]:
    return case.follow_ups.select_related("visitor", "party", "term")


@dataclass
class CaseLifecycle:
    """Everything of the lifecycle a case page or the API shows, loaded once."""

    sessions: list[MediationSession]
    agreement: Agreement | None
    oral_agreement: OralAgreement | None
    notice: TerminationNotice | None
    evaluation: Evaluation | None
    follow_ups: list[FollowUpVisit]
    mediators: list[User]
    reviewers: list[User]
    today: date = field(default_factory=timezone.localdate)

    @cached_property
    def confirmation_deadline(self) -> date | None:
        """The agreement's deadline, worked out once per page (each reading loads a calendar year)."""
        return self.agreement.confirmation_deadline if self.agreement else None

    @property
    def confirmation_days_left(self) -> int | None:
        deadline = self.confirmation_deadline
        return None if deadline is None else (deadline - self.today).days


def lifecycle_of(case: Case) -> CaseLifecycle:
    sessions = list(sessions_of(case))
    # The case's mediators are its active assignments (lead first); those who took part in a
    # session but have since left the case follow.
    mediators: dict[int, User] = {
        a.mediator_id: a.mediator for a in assignments_of(case) if a.ended_at is None
    }
    for session in sessions:
        for user in session.mediators.all():
            mediators.setdefault(user.pk, user)
    return CaseLifecycle(
        sessions=sessions,
        agreement=agreement_of(case),
        oral_agreement=case.oral_agreements.select_related("recorded_by").first(),
        notice=case.termination_notices.select_related("issued_by").first(),
        evaluation=case.evaluations.select_related("evaluator").first(),
        follow_ups=list(follow_ups_of(case)),
        mediators=list(mediators.values()),
        reviewers=[d.reviewer for d in case.reviewers.select_related("reviewer")],
    )


def lifecycle_querysets(case: Case) -> dict[str, QuerySet]:
    """What ``lifecycle_of`` reads, as querysets of their own rows only, to be loaded in one statement
    (``cases.core.batch.load_together``) and put together by ``lifecycle_from``."""
    session_model = MediationSession
    return {
        "sessions": case.sessions.all(),
        "session_parties": session_model.parties.through.objects.filter(mediationsession__case=case).order_by(
            "pk"
        ),
        "session_mediators": session_model.mediators.through.objects.filter(
            mediationsession__case=case
        ).order_by("pk"),
        # agreement_of's choice: the newest agreement not voided
        "agreement": case.agreements.filter(voided=False).order_by("-created_at", "-pk")[:1],
        "terms": AgreementTerm.objects.filter(agreement__case=case),
        "signatures": AgreementSignature.objects.filter(agreement__case=case, agreement__voided=False),
        "oral_agreement": case.oral_agreements.all()[:1],
        "notice": case.termination_notices.all()[:1],
        "evaluation": case.evaluations.all()[:1],
        "follow_ups": case.follow_ups.all(),
        "reviewers": case.reviewers.all(),
    }


LIFECYCLE_USER_FIELDS = {
    "sessions": ("recorded_by",),
    "agreement": ("mediator_signed_by",),
    "oral_agreement": ("recorded_by",),
    "notice": ("issued_by",),
    "evaluation": ("evaluator",),
    "follow_ups": ("visitor",),
    "reviewers": ("reviewer",),
}


def lifecycle_from(
    case: Case, rows: dict[str, list], *, users: dict[int, User], parties: list
) -> CaseLifecycle:
    """``lifecycle_of(case)`` from the rows of ``lifecycle_querysets`` (loaded together), the users they name
    and the case's parties: the same objects with the same related rows in place, without a further query."""
    from cases.core.batch import attach, set_prefetched

    parties_by_pk = {p.pk: p for p in parties}
    for key, names in LIFECYCLE_USER_FIELDS.items():
        for name in names:
            attach(rows[key], name, users)
    sessions = rows["sessions"]
    for session in sessions:
        session.case = case
        party_ids = {r.party_id for r in rows["session_parties"] if r.mediationsession_id == session.pk}
        # the prefetch's order: Party's (role, pk), which the page's parties list has
        set_prefetched(session, "parties", [p for p in parties if p.pk in party_ids])
        set_prefetched(
            session,
            "mediators",
            [users[r.user_id] for r in rows["session_mediators"] if r.mediationsession_id == session.pk],
        )
    agreement = rows["agreement"][0] if rows["agreement"] else None
    terms = rows["terms"]
    if agreement is not None:
        agreement.case = case
        set_prefetched(agreement, "terms", [t for t in terms if t.agreement_id == agreement.pk])
        signatures = [s for s in rows["signatures"] if s.agreement_id == agreement.pk]
        attach(signatures, "party", parties_by_pk)
        set_prefetched(agreement, "signatures", signatures)
    follow_ups = rows["follow_ups"]
    attach(follow_ups, "party", parties_by_pk)
    attach(follow_ups, "term", {t.pk: t for t in terms})
    mediators: dict[int, User] = {
        a.mediator_id: a.mediator for a in assignments_of(case) if a.ended_at is None
    }
    for session in sessions:
        for user in session.mediators.all():
            mediators.setdefault(user.pk, user)
    return CaseLifecycle(
        sessions=sessions,
        agreement=agreement,
        oral_agreement=rows["oral_agreement"][0] if rows["oral_agreement"] else None,
        notice=rows["notice"][0] if rows["notice"] else None,
        evaluation=rows["evaluation"][0] if rows["evaluation"] else None,
        follow_ups=follow_ups,
        mediators=list(mediators.values()),
        reviewers=[d.reviewer for d in rows["reviewers"]],
    )


def actions_for(
    user: User, case: Case, lifecycle: CaseLifecycle | None = None, *, is_mediator: bool | None = None
) -> set[str]:
    """The lifecycle actions ``user`` may take on ``case`` right now (the page shows these and only these).
    ``is_mediator``: ``is_case_mediator(user, case)`` when the caller has decided it from what it loaded."""
    actions: set[str] = set()
    supervisor = supervises(user, case.center)
    # Whether the user is one of the case's mediators (up to three queries) matters only while the case
    # is worked, or to a user who is not its supervisor.
    if case.status in WORKING_STATUSES or not supervisor:
        mediator = is_case_mediator(user, case) if is_mediator is None else is_mediator
    else:
        mediator = False
    agreement = lifecycle.agreement if lifecycle else current_agreement(case)
    if mediator and case.status in WORKING_STATUSES:
        actions |= {"record_session", "edit_agreement"}
        if agreement is not None and not agreement.is_effective:
            actions.add("sign_agreement")
        if outcomes_from(case.status):
            actions.add("conclude")
    if case.status == Status.CONCLUDED and (
        (supervisor or any(r.pk == user.pk for r in lifecycle.reviewers))
        if lifecycle
        else is_case_reviewer(user, case)
    ):
        actions.add("evaluate")
    if (mediator or supervisor) and can_move(case, Status.CLOSED):
        if case.status == Status.EVALUATED or not case.center.require_evaluation:
            actions.add("close")
    if supervisor and case.status in ENDED_STATUSES:
        actions.add("reopen")
    if supervisor and case.status in CLOSABLE_STATUSES:
        actions.add("designate_reviewer")
    if (mediator or supervisor) and case.status == Status.CLOSED:
        pending = lifecycle.follow_ups if lifecycle else list(case.follow_ups.all())
        if any(not v.is_done for v in pending):
            actions.add("record_follow_up")
    return actions


def overdue_follow_ups_for(user: User, *, today: date | None = None) -> QuerySet[FollowUpVisit]:
    """Pending visits past their due date on cases the user may see (for supervisors and mediators)."""
    if not roles_of(user).has(Role.SUPERVISOR, Role.MEDIATOR, Role.ADMIN):
        return FollowUpVisit.objects.none()
    today = today or timezone.localdate()
    return (
        FollowUpVisit.objects.filter(
            visited_at__isnull=True,
            due_on__lt=today,
            case__in=cases_visible_to(user).values("pk"),
        )
        .select_related("case", "case__center", "term")
        .prefetch_related(Prefetch("case__parties"))
        .order_by("due_on", "pk")
    )


def get_case_for_action(user: User, pk: int, action: str) -> Case:
    """404 if the case is hidden from the user, 403 if ``action`` is not theirs to take on it now."""
    case = get_case_for_user(user, pk, queryset=Case.objects.select_related("center", "channel"))
    if action not in actions_for(user, case):
        raise PermissionDenied
    return case


def may_take(user: User, case: Case, action: str) -> bool:
    """Whether the action is ``user``'s to take on this case at some stage (the state may still refuse it)."""
    mediator = is_case_mediator(user, case)
    if action in ("record_session", "edit_agreement", "sign_agreement", "conclude"):
        return mediator
    if action == "evaluate":
        return is_case_reviewer(user, case)
    if action in ("designate_reviewer", "reopen"):
        return supervises(user, case.center)
    if action in ("close", "record_follow_up"):
        return mediator or supervises(user, case.center)
    return False


def get_case_for_role(user: User, pk: int, action: str) -> Case:
    """For the API: 404 if hidden, 403 if the action is never this user's; a wrong state is the service's 409."""
    case = get_case_for_user(user, pk, queryset=Case.objects.select_related("center", "channel"))
    if not may_take(user, case, action):
        raise PermissionDenied
    return case
