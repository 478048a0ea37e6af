"""Mediation lifecycle: sessions, agreement, conclusion, evaluation, closing, reopening and follow-up visits.

Every service locks the case row, checks who may act, changes state through ``states.move``
where the status changes, and writes exactly one timeline event.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Center, Membership, User
from cases.core import events
from cases.core.access import can_change, supervises
from cases.core.attachments import build_attachment
from cases.core.events import (
    AGREEMENT_DRAFTED,
    AGREEMENT_EFFECTIVE,
    AGREEMENT_SIGNED,
    AGREEMENT_UPDATED,
    CLOSED,
    CONCLUDED,
    EVALUATED,
    FOLLOW_UP_RECORDED,
    FOLLOW_UP_REOPENED,
    REOPENED,
    REVIEWER_DESIGNATED,
    SESSION_RECORDED,
    SESSION_UPDATED,
)
from cases.core.models import Case, Party
from cases.core.services import counter_identity_fields, lock_case
from cases.core.states import ENDED_STATUSES, TIMESTAMP_FIELDS, WORKING_STATUSES, Outcome, Status, move
from cases.core.timeline import EventType, record_together
from cases.intake.rules import check_party_count
from cases.intake.services import CaseData, next_serial, registered_fields
from cases.lifecycle.models import (
    Agreement,
    AgreementSignature,
    AgreementTerm,
    Evaluation,
    FollowUpVisit,
    MediationSession,
    OralAgreement,
    ReviewerDesignation,
    Satisfaction,
    TerminationNotice,
)
from cases.lifecycle.selectors import current_agreement, is_case_mediator, is_case_reviewer
from cases.warnings import sweep as warnings_sweep
from mediation_center.dialect import insert_together, reserve_ids
from mediation_center.errors import DomainError, IllegalTransition, NotAllowed
from mediation_center.transactions import entry_point

if TYPE_CHECKING:
    from routing.models import Channel

Role = Membership.Role


# --- who may act -------------------------------------------------------------------------


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _required_text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code="invalid")
    return value


# --- sessions ----------------------------------------------------------------------------


def _check_participants(case: Case, parties, mediators) -> tuple[list[Party], list[User]]:
    parties = list(parties)
    if any(p.case_id != case.pk for p in parties):
        raise DomainError(_("参加人必须是本案当事人。"), code="invalid")
    return parties, list(mediators)


@entry_point
def record_session(
    case: Case,
    *,
    actor: User,
    started_at: datetime,
    mode: str,
    discussion: str,
    place: str = "",
    result: str = "",
    outcome: str = "",
    other_participants: str = "",
    parties=(),
    mediators=(),
) -> MediationSession:
    """Record one mediation session; the first one on a routed case starts the mediation."""
    case = lock_case(case, "center")
    _require(is_case_mediator(actor, case), _("只有本案的调解员可以记录调解。"))
    if case.status not in WORKING_STATUSES:
        raise IllegalTransition(_("案件已终结，不能再记录调解；如需继续，请先由督办人员重新启动。"))
    parties, mediators = _check_participants(case, parties, mediators)
    session = MediationSession.objects.create(
        case=case,
        started_at=started_at,
        mode=mode,
        place=place,
        discussion=_required_text(discussion, _("请填写调解经过。")),
        result=result,
        outcome=outcome,
        other_participants=other_participants,
        recorded_by=actor,
    )
    session.parties.set(parties)
    session.mediators.set(mediators or [actor])
    started = case.status == Status.ROUTED
    if started:
        move(case, Status.IN_MEDIATION)
    SESSION_RECORDED.record(
        case,
        actor=actor,
        data={"session": session.pk, "started_at": started_at.isoformat(), "started_mediation": started},
    )
    warnings_sweep.on_case_changed(case, actor=actor)  # failed sessions feed the risk level
    return session


SESSION_FIELDS = ("started_at", "mode", "place", "discussion", "result", "outcome", "other_participants")


@entry_point
def update_session(
    session: MediationSession, *, actor: User, parties=None, mediators=None, **changes
) -> MediationSession:
    """Edit a session record; the event lists what changed."""
    unknown = set(changes) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    case = lock_case(session.case, "center")
    _require(is_case_mediator(actor, case), _("只有本案的调解员可以修改调解记录。"))
    session = MediationSession.objects.select_for_update().get(pk=session.pk)
    if "discussion" in changes:
        changes["discussion"] = _required_text(changes["discussion"], _("请填写调解经过。"))
    changed = [name for name, value in changes.items() if getattr(session, name) != value]
    for name in changed:
        setattr(session, name, changes[name])
    if changed:
        session.save(update_fields=[*changed, "updated_at"])
    if parties is not None:
        parties, _unused = _check_participants(case, parties, ())
        if {p.pk for p in parties} != set(session.parties.values_list("pk", flat=True)):
            session.parties.set(parties)
            changed.append("parties")
    if mediators is not None:
        mediators = list(mediators)
        if {m.pk for m in mediators} != set(session.mediators.values_list("pk", flat=True)):
            session.mediators.set(mediators)
            changed.append("mediators")
    if not changed:
        raise DomainError(_("没有需要保存的修改。"), code="unchanged")
    SESSION_UPDATED.record(case, actor=actor, data={"session": session.pk, "fields": changed})
    if "outcome" in changed:
        warnings_sweep.on_case_changed(case, actor=actor)
    return session


# --- agreement ---------------------------------------------------------------------------


@dataclass
class TermData:
    content: str
    performance: str
    due_on: date | None = None


@entry_point
def save_agreement(
    case: Case, *, actor: User, facts: str, issues: str, responsibilities: str, terms: list[TermData]
) -> Agreement:
    """Draft the written agreement, or revise the draft (signatures already given are cleared)."""
    case = lock_case(case, "center")
    _require(is_case_mediator(actor, case), _("只有本案的调解员可以制作调解协议书。"))
    if case.status not in WORKING_STATUSES:
        raise IllegalTransition(_("案件已终结，不能再制作或修改调解协议书。"))
    terms = [t for t in terms if (t.content or "").strip()]
    if not terms:
        raise DomainError(_("调解协议至少要有一项协议内容。"), code="invalid")
    for term in terms:
        _required_text(term.performance, _("请写明每项协议内容的履行方式。"))
    values = {
        "facts": _required_text(facts, _("请填写纠纷的主要事实。")),
        "issues": _required_text(issues, _("请填写争议事项。")),
        "responsibilities": _required_text(responsibilities, _("请填写各方当事人的责任。")),
    }
    agreement = current_agreement(case)
    if agreement is None or agreement.is_effective:
        agreement = Agreement.objects.create(case=case, drafted_by=actor, **values)
        event = AGREEMENT_DRAFTED
    else:
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        for name, value in values.items():
            setattr(agreement, name, value)
        # A changed text needs fresh signatures: what was signed is no longer this text.
        agreement.mediator_signed_at = agreement.sealed_at = None
        agreement.mediator_signed_by = None
        agreement.save(
            update_fields=[*values, "mediator_signed_at", "mediator_signed_by", "sealed_at", "updated_at"]
        )
        agreement.signatures.all().delete()
        agreement.terms.all().delete()
        event = AGREEMENT_UPDATED
    AgreementTerm.objects.bulk_create(
        [
            AgreementTerm(
                agreement=agreement,
                order=index,
                content=term.content.strip(),
                performance=term.performance.strip(),
                due_on=term.due_on,
            )
            for index, term in enumerate(terms, start=1)
        ]
    )
    event.record(case, actor=actor, data={"agreement": agreement.pk, "terms": len(terms)})
    return agreement


def _take_effect_if_complete(
    case: Case, agreement: Agreement, signed_party_ids: set[int], at: datetime
) -> bool:
    """Set ``effective_on`` (not saved) when every party, the mediator and the seal are on it."""
    all_parties = set(case.parties.values_list("pk", flat=True))
    if all_parties <= signed_party_ids and agreement.mediator_signed_at and agreement.sealed_at:
        # Effective on the day the last signature or the seal was put on it (art. 29).
        agreement.effective_on = timezone.localdate(at)
        return True
    return False


def add_party_signature(
    agreement: Agreement, *, party: Party, actor: User | None, method: str, at: datetime
) -> tuple[AgreementSignature, bool]:
    """One party's signature given by another channel (the online app's electronic signature), inside the
    caller's transaction with the case and the agreement locked; returns it and whether it made the
    agreement effective. The caller records the one timeline event (AGREEMENT_EFFECTIVE when it did)."""
    case = agreement.case
    if agreement.voided or agreement.is_effective:
        raise IllegalTransition(_("该调解协议已生效或已作废，不能再登记签名。"))
    if party.case_id != case.pk:
        raise DomainError(_("签名人必须是本案当事人。"), code="invalid")
    signed = set(agreement.signatures.values_list("party_id", flat=True))
    if party.pk in signed:
        raise DomainError(_("该当事人已签名。"), code="unchanged")
    signature = AgreementSignature.objects.create(
        agreement=agreement, party=party, signed_at=at, recorded_by=actor, method=method
    )
    effective = _take_effect_if_complete(case, agreement, signed | {party.pk}, at)
    if effective:
        agreement.save(update_fields=["effective_on", "updated_at"])
        # starts the 30-day judicial-confirmation clock
        warnings_sweep.on_case_changed(case, trigger="agreement_effective", actor=actor, at=at)
    return signature, effective


@entry_point
def sign_agreement(
    agreement: Agreement,
    *,
    actor: User,
    parties=(),
    mediator: bool = False,
    seal: bool = False,
    at: datetime | None = None,
) -> Agreement:
    """Record party signatures, the mediator's signature and the committee seal; the last one makes it effective."""
    at = at or timezone.now()
    case = lock_case(agreement.case, "center")
    _require(is_case_mediator(actor, case), _("只有本案的调解员可以登记签名和盖章。"))
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.voided or agreement.is_effective:
        raise IllegalTransition(_("该调解协议已生效或已作废，不能再登记签名。"))
    signed = set(agreement.signatures.values_list("party_id", flat=True))
    new_parties = [p for p in parties if p.pk not in signed]
    if any(p.case_id != case.pk for p in new_parties):
        raise DomainError(_("签名人必须是本案当事人。"), code="invalid")
    fields = []
    if mediator and agreement.mediator_signed_at is None:
        agreement.mediator_signed_at, agreement.mediator_signed_by = at, actor
        fields += ["mediator_signed_at", "mediator_signed_by"]
    if seal and agreement.sealed_at is None:
        agreement.sealed_at = at
        fields.append("sealed_at")
    if not new_parties and not fields:
        raise DomainError(_("没有新的签名或盖章需要登记。"), code="unchanged")
    AgreementSignature.objects.bulk_create(
        [
            AgreementSignature(agreement=agreement, party=p, signed_at=at, recorded_by=actor)
            for p in new_parties
        ]
    )
    effective = _take_effect_if_complete(case, agreement, signed | {p.pk for p in new_parties}, at)
    if effective:
        fields.append("effective_on")
    agreement.save(update_fields=[*fields, "updated_at"])
    data = {
        "agreement": agreement.pk,
        "parties": [p.name for p in new_parties],
        "mediator": "mediator_signed_at" in fields,
        "seal": "sealed_at" in fields,
    }
    if effective:
        data["effective_on"] = agreement.effective_on.isoformat()
        data["confirmation_deadline"] = agreement.confirmation_deadline.isoformat()
    (AGREEMENT_EFFECTIVE if effective else AGREEMENT_SIGNED).record(case, actor=actor, data=data)
    if effective:  # starts the 30-day judicial-confirmation clock
        warnings_sweep.on_case_changed(case, trigger="agreement_effective", actor=actor, at=at)
    return agreement


# --- conclusion, evaluation, closing, reopening --------------------------------------------

NOTICE_OUTCOMES = (Outcome.FAILED, Outcome.REFUSED)


@entry_point
def conclude_case(
    case: Case,
    *,
    actor: User,
    outcome: str,
    reason: str = "",
    routes: list[str] | tuple[str, ...] = (),
    oral_content: str = "",
) -> Case:
    """End the mediation with one of the outcomes the law names (the reason is on the timeline)."""
    case = lock_case(case, "center")
    if outcome == Outcome.NOT_ACCEPTED:
        _require(can_change(actor, case), _("您无权对本案作出不予受理决定。"))
    else:
        _require(is_case_mediator(actor, case), _("只有本案的调解员可以终结调解。"))
    if outcome not in Outcome.values:
        raise DomainError(_("请选择终结情形。"), code="invalid")
    data = {"outcome": outcome}
    if outcome == Outcome.WRITTEN_AGREEMENT:
        agreement = current_agreement(case)
        if agreement is None or not agreement.is_effective:
            raise DomainError(
                _("书面调解协议尚未生效：须各方当事人、调解员签名并加盖调委会印章。"),
                code="agreement_not_effective",
            )
        data["agreement"] = agreement.pk
    elif outcome == Outcome.ORAL_AGREEMENT:
        content = _required_text(oral_content, _("请记录口头协议的内容。"))
    else:
        reason = _required_text(reason, _("请说明理由。"))
        if outcome == Outcome.FAILED and not routes:
            raise DomainError(_("调解不成的，须告知当事人可以通过哪些途径维护权利。"), code="invalid")
    routes = [r for r in routes if r in TerminationNotice.Route.values]
    case.outcome_reason = reason.strip()
    move(
        case,
        Status.NOT_ACCEPTED if outcome == Outcome.NOT_ACCEPTED else Status.CONCLUDED,
        outcome=outcome,
        extra_fields=("outcome_reason",),
    )
    if outcome == Outcome.ORAL_AGREEMENT:
        oral = OralAgreement.objects.create(
            case=case, content=content, agreed_on=timezone.localdate(), recorded_by=actor
        )
        data["oral_agreement"] = oral.pk
    elif outcome in NOTICE_OUTCOMES:
        notice = TerminationNotice.objects.create(
            case=case,
            outcome=outcome,
            reason=case.outcome_reason,
            routes=routes,
            issued_on=timezone.localdate(),
            issued_by=actor,
        )
        data["notice"] = notice.pk
        data["routes"] = routes
    if case.outcome_reason:
        data["reason"] = case.outcome_reason
    event = events.NOT_ACCEPTED if outcome == Outcome.NOT_ACCEPTED else CONCLUDED
    event.record(case, actor=actor, data=data)
    warnings_sweep.on_case_changed(
        case, trigger="closed" if outcome == Outcome.NOT_ACCEPTED else "concluded", actor=actor
    )
    return case


@entry_point
def designate_reviewer(case: Case, *, actor: User, reviewer: User) -> ReviewerDesignation:
    """A supervisor names a reviewer who may evaluate this case."""
    case = lock_case(case, "center")
    _require(supervises(actor, case.center), _("只有督办人员可以指定评估人。"))
    if reviewer.kind != User.Kind.STAFF or not reviewer.is_active:
        raise DomainError(_("评估人必须是在岗工作人员。"), code="invalid")
    designation, created = ReviewerDesignation.objects.get_or_create(
        case=case, reviewer=reviewer, defaults={"designated_by": actor}
    )
    if not created:
        raise DomainError(_("该人员已是本案的评估人。"), code="unchanged")
    REVIEWER_DESIGNATED.record(
        case, actor=actor, data={"reviewer": str(reviewer), "reviewer_id": reviewer.pk}
    )
    return designation


@entry_point
def evaluate_case(
    case: Case, *, actor: User, outcome_correct: bool, documents_complete: bool, on_time: bool, comment: str
) -> Evaluation:
    """评估: rate how the case was handled; required before closing unless the center waives it."""
    case = lock_case(case, "center")
    _require(is_case_reviewer(actor, case), _("只有督办人员或指定的评估人可以评估案件。"))
    comment = _required_text(comment, _("请填写评估意见。"))
    move(case, Status.EVALUATED)
    evaluation = Evaluation.objects.create(
        case=case,
        evaluator=actor,
        outcome_correct=outcome_correct,
        documents_complete=documents_complete,
        on_time=on_time,
        comment=comment,
    )
    EVALUATED.record(
        case,
        actor=actor,
        data={
            "evaluation": evaluation.pk,
            "outcome_correct": outcome_correct,
            "documents_complete": documents_complete,
            "on_time": on_time,
        },
    )
    return evaluation


def _schedule_follow_ups(case: Case) -> list[FollowUpVisit]:
    return FollowUpVisit.objects.bulk_create(_follow_ups(case))


def _follow_ups(case: Case) -> list[FollowUpVisit]:
    """The follow-up visits of a case being closed (unsaved): after the closing, and before each term due."""
    today = timezone.localdate()
    visits = [
        FollowUpVisit(
            case=case,
            reason=FollowUpVisit.Reason.AFTER_CLOSING,
            due_on=today + timedelta(days=settings.FOLLOW_UP_AFTER_CLOSING_DAYS),
        )
    ]
    agreement = current_agreement(case) if case.outcome == Outcome.WRITTEN_AGREEMENT else None
    if agreement is not None:
        lead = timedelta(days=settings.FOLLOW_UP_BEFORE_TERM_DAYS)
        for term in agreement.terms.all():
            if term.due_on and term.due_on >= today:
                visits.append(
                    FollowUpVisit(
                        case=case,
                        reason=FollowUpVisit.Reason.TERM_DEADLINE,
                        term=term,
                        due_on=max(today, term.due_on - lead),
                    )
                )
    return visits


@entry_point
def close_case(
    case: Case,
    *,
    actor: User,
    summary: str,
    money_covered: Decimal | None = None,
    prevented_criminal: bool = False,
    prevented_group_petition: bool = False,
    evaluation_waived: str = "",
) -> Case:
    """结案: record the closing facts and schedule the follow-up visits.

    ``evaluation_waived`` (the reason, e.g. a quick record settled on the spot, grassroots) closes a concluded
    case without the evaluation its center requires; it is for services that call this as a step."""
    case = lock_case(case, "center")
    _require(
        is_case_mediator(actor, case) or supervises(actor, case.center),
        _("只有本案的调解员或督办人员可以结案。"),
    )
    if case.status == Status.CONCLUDED and case.center.require_evaluation and not evaluation_waived:
        raise IllegalTransition(_("结案前须经督办人员或指定评估人评估。"))
    case.closing_summary = _required_text(summary, _("请填写结案小结。"))
    case.money_covered = money_covered
    case.prevented_criminal = prevented_criminal
    case.prevented_group_petition = prevented_group_petition
    move(
        case,
        Status.CLOSED,
        extra_fields=(
            "closing_summary",
            "money_covered",
            "prevented_criminal",
            "prevented_group_petition",
        ),
    )
    visits = _schedule_follow_ups(case)
    CLOSED.record(
        case,
        actor=actor,
        data={
            "outcome": case.outcome,
            "money_covered": str(money_covered) if money_covered is not None else None,
            "prevented_criminal": prevented_criminal,
            "prevented_group_petition": prevented_group_petition,
            "follow_ups": [v.due_on.isoformat() for v in visits],
            **({"evaluation_waived": evaluation_waived} if evaluation_waived else {}),
        },
    )
    warnings_sweep.on_case_changed(case, trigger="closed", actor=actor)
    return case


def _reopen(case: Case) -> int:
    """Back to mediation: the outcome is cleared (the timeline keeps it) and pending visits are dropped."""
    case.outcome = ""
    case.outcome_reason = ""
    case.concluded_at = None
    case.closed_at = None
    move(case, Status.IN_MEDIATION, extra_fields=("outcome", "outcome_reason", "concluded_at", "closed_at"))
    dropped, _details = FollowUpVisit.objects.filter(case=case, visited_at__isnull=True).delete()
    return dropped


@entry_point
def reopen_case(case: Case, *, actor: User, reason: str) -> Case:
    """A supervisor reopens a concluded or closed case, giving the reason."""
    case = lock_case(case, "center")
    _require(supervises(actor, case.center), _("只有督办人员可以重新启动已终结的案件。"))
    if case.status not in ENDED_STATUSES:  # IN_MEDIATION -> IN_MEDIATION is a routing move, not a reopening
        raise IllegalTransition(_("案件尚未终结，无须重新启动。"))
    reason = _required_text(reason, _("请说明重新启动的理由。"))
    previous = case.outcome
    dropped = _reopen(case)
    REOPENED.record(
        case,
        actor=actor,
        data={"reason": reason, "previous_outcome": previous, "dropped_follow_ups": dropped},
    )
    warnings_sweep.on_case_changed(case, actor=actor)
    return case


@entry_point
def record_follow_up(
    visit: FollowUpVisit,
    *,
    actor: User,
    method: str,
    performance: str,
    satisfaction: int,
    notes: str = "",
    party: Party | None = None,
    reopen: bool = False,
    reopen_reason: str = "",
) -> FollowUpVisit:
    """Record a follow-up visit; one that finds the agreement broken may reopen the case."""
    case = lock_case(visit.case, "center")
    _require(
        is_case_mediator(actor, case) or supervises(actor, case.center),
        _("只有本案的调解员或督办人员可以登记回访。"),
    )
    visit = FollowUpVisit.objects.select_for_update().filter(pk=visit.pk).first()
    if visit is None:  # dropped when the case was reopened meanwhile
        raise IllegalTransition(_("该回访已因案件重新启动而取消。"))
    if visit.is_done:
        raise IllegalTransition(_("该回访已经登记过。"))
    if case.status != Status.CLOSED:
        raise IllegalTransition(_("案件未结案，不能登记回访。"))
    if method not in FollowUpVisit.Method.values:
        raise DomainError(_("请选择回访方式。"), code="invalid")
    if performance not in FollowUpVisit.Performance.values:
        raise DomainError(_("请选择协议履行情况。"), code="invalid")
    if satisfaction not in Satisfaction.values:
        raise DomainError(_("请选择满意度。"), code="invalid")
    if party is not None and party.case_id != case.pk:
        raise DomainError(_("回访对象必须是本案当事人。"), code="invalid")
    if reopen:
        if performance != FollowUpVisit.Performance.BROKEN:
            raise DomainError(_("只有发现协议未履行时才能重新启动调解。"), code="invalid")
        reopen_reason = _required_text(reopen_reason, _("请说明重新启动的理由。"))
    visit.visited_at = timezone.now()
    visit.visitor = actor
    visit.method = method
    visit.performance = performance
    visit.satisfaction = satisfaction
    visit.notes = notes.strip()
    visit.party = party
    visit.reopened_case = reopen
    visit.save(
        update_fields=[
            "visited_at",
            "visitor",
            "method",
            "performance",
            "satisfaction",
            "notes",
            "party",
            "reopened_case",
        ]
    )
    data = {
        "visit": visit.pk,
        "method": method,
        "performance": performance,
        "satisfaction": satisfaction,
    }
    if reopen:
        data["reason"] = reopen_reason
        data["dropped_follow_ups"] = _reopen(case)
        FOLLOW_UP_REOPENED.record(case, actor=actor, data=data)
        warnings_sweep.on_case_changed(case, actor=actor)
    else:
        FOLLOW_UP_RECORDED.record(case, actor=actor, data=data)
    return visit


# --- a case registered, concluded and closed in one call ---------------------------------------------


class _Moves:
    """The case's status as it walks the table, in memory: ``move`` checks each step and stamps its time;
    the row itself is written once, in its end state."""

    def __init__(self, status: str):
        self.status, self.outcome = status, ""

    def __getattr__(self, name: str):
        return None  # a timestamp not stamped yet

    def save(self, *, update_fields: list[str]) -> None:
        pass


def register_and_close_case(
    *,
    center: Center,
    actor: User,
    data: CaseData,
    channel: "Channel",
    priority: int,
    oral_content: str,
    summary: str,
    evaluation_waived: str,
    session_result: str = "",
    attachments=(),
    before_session: Callable[[Case, list[int]], tuple[list, list[tuple[EventType, dict]]]] = (
        lambda case, ids: ([], [])
    ),
    reserve_for: Sequence[type] = (),
) -> Case:
    """A dispute settled at once (grassroots' 随手调): registered at ``center`` and routed to ``channel`` there,
    one in-person session with the actor as mediator, concluded with an oral agreement (人民调解法 art. 28)
    and closed with the evaluation waived (the reason is recorded), the follow-up visit scheduled as for any
    closed case. Runs in the caller's transaction.

    The same rows and events as ``register_case``, ``route_case``, ``record_session``, ``conclude_case`` and
    ``close_case`` called one after another, written set-based: the case row once, in its end state (each
    move checked against the status table and stamped in order), every other row in one insert per table,
    the timeline's events of all the steps in one (``record_together``: each step keeps its event, with the
    actor), the clocks and baseline levels by ``warnings_sweep.on_case_ended_now``. ``before_session(case)``
    is the caller's: it returns its own rows of the new case (unsaved: routing's decision, the assignment,
    its entry), written with the others, and the events that go between registration and the session;
    ``ids`` holds one reserved id for each model of ``reserve_for`` (for a row the caller hands back).

    Round trips: the number's sequence, the reserved ids, every row but the timeline's in one
    (``mediation_center.dialect.insert_together``), the events, and what the timeline's hooks write."""
    check_party_count(len(data.parties))
    if not data.parties:
        raise DomainError(_("请至少填写一名当事人。"), code="invalid")
    discussion = _required_text(data.summary, _("请填写调解经过。"))
    oral_content = _required_text(oral_content, _("请记录口头协议的内容。"))
    summary = _required_text(summary, _("请填写结案小结。"))
    evaluation_waived = _required_text(evaluation_waived, _("请说明免于评估的理由。"))
    year = timezone.localdate().year
    serial = next_serial(center, year)
    now = timezone.now()
    moves = _Moves(Status.REGISTERED)  # registered at the window: accepted at once, as register_case does
    move(moves, Status.ROUTED)
    move(moves, Status.IN_MEDIATION)
    move(moves, Status.CONCLUDED, outcome=Outcome.ORAL_AGREEMENT)
    move(moves, Status.CLOSED)
    stamps = {name: getattr(moves, name) for name in TIMESTAMP_FIELDS.values() if getattr(moves, name)}
    # The rows others point to get their ids first (one statement), so that every row below is written in
    # one round trip (``insert_together``), in the order the step services would write them.
    case_id, party_ids, session_id, oral_id, *caller_ids = reserve_ids(
        [(Case, 1), (Party, len(data.parties)), (MediationSession, 1), (OralAgreement, 1)]
        + [(model, 1) for model in reserve_for]
    )
    case = Case(
        pk=case_id[0],
        **registered_fields(data, center, year=year, serial=serial),
        status=moves.status,
        outcome=moves.outcome,
        registered_by=actor,
        channel=channel,
        priority=priority,
        closing_summary=summary,
        created_at=now,
        accepted_at=now,
        **stamps,
    )
    case.updated_at = case.closed_at
    # ``raw``: the row keeps the registration time taken above, before the steps' stamps (``created_at`` is
    # ``auto_now_add``, which would stamp it after them).
    batch: list = [([case], True)]
    parties = [
        Party(
            pk=pk,
            case=case,
            **vars(p),
            **counter_identity_fields(
                role=p.role, kind=p.kind, id_number=p.id_number, actor=actor, source=data.source, now=now
            ),
        )
        for pk, p in zip(party_ids, data.parties, strict=True)
    ]
    batch.append((parties, False))
    # Before the caller's rows: an escalation at registration is told to whom it would have been then (the
    # supervisors, the channel's mediators; nobody is assigned yet).
    warnings_sweep.on_case_ended_now(case, actor=actor, batch=batch)
    registered = {"source": data.source, "parties": len(parties)}
    if checked := sum(1 for p in parties if p.identity_verified_at):
        registered["identity_verified"] = checked
    if attachments:
        registered["attachments"] = len(attachments)
    caller_rows, caller_steps = before_session(case, [ids[0] for ids in caller_ids])
    batch += [([row], False) for row in caller_rows]
    steps = [(events.REGISTERED, registered), *caller_steps]
    session = MediationSession(
        pk=session_id[0],
        case=case,
        started_at=case.routed_at,
        mode=MediationSession.Mode.IN_PERSON,
        place=data.place,
        discussion=discussion,
        result=session_result,
        recorded_by=actor,
    )
    through_parties = MediationSession.parties.through
    through_mediators = MediationSession.mediators.through
    oral = OralAgreement(
        pk=oral_id[0], case=case, content=oral_content, agreed_on=timezone.localdate(), recorded_by=actor
    )
    visits = _follow_ups(case)
    batch += [
        ([session], False),
        ([through_parties(mediationsession_id=session.pk, party_id=p.pk) for p in parties], False),
        ([through_mediators(mediationsession_id=session.pk, user_id=actor.pk)], False),
        ([oral], False),
        (visits, False),
    ]
    insert_together(batch)
    for upload in attachments:
        build_attachment(case, upload, uploaded_by=actor)
    steps += [
        (
            SESSION_RECORDED,
            {"session": session.pk, "started_at": session.started_at.isoformat(), "started_mediation": True},
        ),
        (CONCLUDED, {"outcome": case.outcome, "oral_agreement": oral.pk}),
        (
            CLOSED,
            {
                "outcome": case.outcome,
                "money_covered": None,
                "prevented_criminal": False,
                "prevented_group_petition": False,
                "follow_ups": [v.due_on.isoformat() for v in visits],
                "evaluation_waived": evaluation_waived,
            },
        ),
    ]
    # What the search index would read back, handed over (search/indexer.py takes each once).
    case._registered_parties = parties
    case._registered_texts = [session.discussion, session.result, oral.content]
    record_together(case, [(event, actor, payload) for event, payload in steps])
    return case
