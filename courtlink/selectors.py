"""Reads of the court hand-off: the case page's lazy section, the hand-off card it loads, the windows about
to close (the to-do's count and list) and a citizen's own hand-offs."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from accounts.access import roles_of
from accounts.models import Membership, User
from cases.core.access import can_change, cases_visible_to, is_staff_user
from cases.core.models import Case, Party
from cases.core.states import FINISHED_STATUSES
from cases.lifecycle.models import Agreement
from cases.lifecycle.selectors import lifecycle_of
from cases.portal.selectors import citizen_party_q
from courtlink.models import MOVES, ConfirmationDeadline, Handoff, HandoffPart
from courtlink.services import LITIGATION_OUTCOMES

Role = Membership.Role
WORK_COUNT = "court_windows_due"


@dataclass(frozen=True)
class LazySection:
    """The case page's placeholder: the card itself is loaded by htmx (``courtlink:section``)."""

    template: str = "courtlink/case_section.html"


def case_page_section(case: Case, user: User, *, lifecycle, parties, actions) -> LazySection | None:
    """settings.CASE_PAGE_SECTIONS: shown where a hand-off is possible or made; no query of its own (the
    page's lifecycle says whether the agreement took effect or mediation ended)."""
    agreement = lifecycle.agreement
    if (agreement is not None and agreement.is_effective) or (
        case.status in FINISHED_STATUSES and case.outcome in LITIGATION_OUTCOMES
    ):
        return LazySection()
    return None


def next_moves(handoff: Handoff) -> list[str]:
    return [t for k, f, t in sorted(MOVES) if k == handoff.kind and f == handoff.status]


@dataclass
class HandoffCard:
    case: Case
    handoffs: list[Handoff]
    window: ConfirmationDeadline | None
    can_prepare_confirmation: bool
    can_prepare_litigation: bool
    can_record: bool
    deadline: object = None
    days_left: int | None = None
    warning: bool = False
    lapsed: bool = False
    moves: dict[int, list[str]] = field(default_factory=dict)


def _live(handoffs: list[Handoff], kind: str) -> Handoff | None:
    return next((h for h in handoffs if h.kind == kind and h.status != Handoff.Status.REJECTED), None)


def handoff_card(case: Case, user: User, *, citizen: bool = False) -> HandoffCard:
    """What the case's hand-off card shows to ``user`` (who already passed the case's access check)."""
    from courtlink.access import may_prepare

    handoffs = list(
        Handoff.objects.filter(case=case)
        .defer("package_pdf")
        .prefetch_related(Prefetch("parts", queryset=HandoffPart.objects.defer("content")))
    )
    lifecycle = lifecycle_of(case)
    agreement = lifecycle.agreement
    window = ConfirmationDeadline.objects.filter(agreement=agreement).first() if agreement else None
    today = timezone.localdate()
    deadline = lifecycle.confirmation_deadline if agreement and agreement.is_effective else None
    days_left = (deadline - today).days if deadline else None
    applied = any(h.kind == Handoff.Kind.CONFIRMATION and h.submitted_on for h in handoffs)
    writable = not citizen and can_change(user, case)
    confirmation_open = (
        bool(deadline) and days_left >= 0 and _live(handoffs, Handoff.Kind.CONFIRMATION) is None
    )
    litigation_open = (
        case.status in FINISHED_STATUSES
        and case.outcome in LITIGATION_OUTCOMES
        and _live(handoffs, Handoff.Kind.LITIGATION) is None
    )
    return HandoffCard(
        case=case,
        handoffs=handoffs,
        window=window,
        can_prepare_confirmation=confirmation_open and may_prepare(user, case, Handoff.Kind.CONFIRMATION),
        can_prepare_litigation=litigation_open and writable,
        can_record=writable,
        deadline=deadline,
        days_left=days_left,
        warning=bool(deadline) and not applied and 0 <= days_left <= settings.COURTLINK_WARN_DAYS_BEFORE,
        lapsed=bool(deadline) and not applied and days_left < 0,
        moves={h.pk: next_moves(h) for h in handoffs} if writable else {},
    )


def windows_due_q(today):
    return {
        "applied_at__isnull": True,
        "lapsed_at__isnull": True,
        "warn_on__lte": today,
        "due_on__gte": today,
    }


def windows_due_for(user: User, center_ids: list[int] | None = None):
    """The judicial-confirmation windows about to close, unapplied, of the cases ``user`` may see."""
    rows = ConfirmationDeadline.objects.filter(
        case__in=cases_visible_to(user).values("pk"), **windows_due_q(timezone.localdate())
    )
    if center_ids is not None:
        rows = rows.filter(case__center_id__in=center_ids)
    return rows


def work_counts(user: User, roles, center_ids: list[int] | None) -> dict[str, int]:
    """settings.WORK_COUNT_PROVIDERS: windows closing within COURTLINK_WARN_DAYS_BEFORE days, not applied."""
    if not roles.has(Role.MEDIATOR, Role.SUPERVISOR, Role.ADMIN):
        return {}
    return {WORK_COUNT: windows_due_for(user, center_ids).count()}


def windows_list(user: User):
    """The to-do page's rows, soonest first (one query)."""
    return windows_due_for(user).select_related("case").order_by("due_on", "pk")[:200]


def handoffs_list(user: User):
    """The hand-offs of the cases ``user`` may see, newest first (one query)."""
    return (
        Handoff.objects.filter(case__in=cases_visible_to(user).values("pk"))
        .defer("package_pdf", "manifest")
        .select_related("case")
        .order_by("-prepared_at", "-pk")[:200]
    )


def may_see_work(user: User) -> bool:
    return is_staff_user(user) and roles_of(user).has(Role.MEDIATOR, Role.SUPERVISOR, Role.ADMIN)


@dataclass
class CitizenCase:
    case: Case
    parties: list[Party]
    card: HandoffCard


CITIZEN_CASES = 50


def citizen_cases(user: User) -> list[CitizenCase]:
    """The citizen's cases where a hand-off is possible or made, each with its card, in four queries whatever
    the number of cases: the parties, the hand-offs, the current agreements, their windows."""
    parties = list(
        Party.objects.filter(citizen_party_q(user))
        .select_related("case", "case__center")
        .order_by("-case_id", "pk")
    )
    by_case: dict[int, list[Party]] = {}
    for party in parties:
        by_case.setdefault(party.case_id, []).append(party)
    case_ids = list(by_case)[:CITIZEN_CASES]
    handoffs: dict[int, list[Handoff]] = {}
    for handoff in Handoff.objects.filter(case_id__in=case_ids).defer("package_pdf", "manifest"):
        handoffs.setdefault(handoff.case_id, []).append(handoff)
    agreements: dict[int, Agreement] = {}
    for agreement in Agreement.objects.filter(case_id__in=case_ids, voided=False).order_by(
        "-created_at", "-pk"
    ):
        agreements.setdefault(
            agreement.case_id, agreement
        )  # the current one, as ``current_agreement`` chooses
    windows = {
        w.agreement_id: w
        for w in ConfirmationDeadline.objects.filter(agreement__in=[a.pk for a in agreements.values()])
    }
    today = timezone.localdate()
    result = []
    for case_id in case_ids:
        case = by_case[case_id][0].case
        mine = handoffs.get(case_id, [])
        agreement = agreements.get(case_id)
        window = windows.get(agreement.pk) if agreement else None
        deadline = None
        if agreement is not None and agreement.is_effective:
            deadline = window.due_on if window else agreement.confirmation_deadline
        days_left = (deadline - today).days if deadline else None
        applied = any(h.kind == Handoff.Kind.CONFIRMATION and h.submitted_on for h in mine)
        card = HandoffCard(
            case=case,
            handoffs=mine,
            window=window,
            can_prepare_confirmation=bool(deadline)
            and days_left >= 0
            and _live(mine, Handoff.Kind.CONFIRMATION) is None,
            can_prepare_litigation=False,
            can_record=False,
            deadline=deadline,
            days_left=days_left,
            warning=bool(deadline) and not applied and 0 <= days_left <= settings.COURTLINK_WARN_DAYS_BEFORE,
            lapsed=bool(deadline) and not applied and days_left < 0,
        )
        if mine or deadline:
            result.append(CitizenCase(case, by_case[case_id], card))
    return result
