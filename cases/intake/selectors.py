"""Reads for intake: the window's list and the person's / matter's other cases (重复访、并单)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import roles_of
from accounts.models import Membership, User
from cases.core.access import cases_visible_to
from cases.core.models import Attachment, Case, DisputeType, Party
from cases.core.states import INTAKE_STATUSES, OPEN_STATUSES, Status


def _with_list_relations(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related(
        "dispute_type", "center", "origin_center", "merged_into", "repeat_of"
    ).prefetch_related(Prefetch("parties", queryset=Party.objects.order_by("role", "pk")))


def intake_queue_for(user: User) -> QuerySet[Case]:
    """Cases waiting at the window of the clerk's centers: submitted (online) or registered, not merged."""
    centers = [c.pk for c in roles_of(user).centers(Membership.Role.CLERK)]
    cases = cases_visible_to(user).filter(
        center__in=centers, status__in=INTAKE_STATUSES, merged_into__isnull=True
    )
    # The most urgent first (warning level, then the earliest due), as every queue; then the rest by status.
    return _with_list_relations(cases).order_by(
        "-warning_level", F("due_at").asc(nulls_last=True), "status", "-created_at"
    )


@dataclass
class RelatedCase:
    case: Case
    reasons: list[str] = field(default_factory=list)
    same_person: bool = False
    same_matter: bool = False


def find_related_cases(
    user: User,
    *,
    parties: list,
    dispute_type: DisputeType | None = None,
    exclude: Case | None = None,
    now=None,
) -> list[RelatedCase]:
    """Other cases of these parties (by ID number, phone, or name + birth date) that are open or recently
    closed, and open cases that look like the same matter (same respondent and dispute type within the
    duplicate window). Only cases the user may see; three queries whatever the number of hits.

    ``parties`` are objects with ``role``, ``name``, ``id_number``, ``phone``, ``birth_date`` and
    ``credit_code`` (PartyData or Party).
    """
    now = now or timezone.now()
    person_q = Q(pk__in=[])
    respondent_q = Q(pk__in=[])
    for p in parties:
        if p.id_number:
            person_q |= Q(id_number=p.id_number)
        if p.phone:
            person_q |= Q(phone=p.phone)
        if p.name and p.birth_date:
            person_q |= Q(name=p.name, birth_date=p.birth_date)
        if getattr(p, "credit_code", ""):
            person_q |= Q(credit_code=p.credit_code)
        if p.role == Party.Role.RESPONDENT and p.name:
            respondent_q |= Q(role=Party.Role.RESPONDENT, name=p.name)
    lookback = now - timedelta(days=settings.INTAKE_REPEAT_LOOKBACK_DAYS)
    window = now - timedelta(days=settings.INTAKE_DUPLICATE_WINDOW_DAYS)
    recent_or_open = (
        Q(status__in=OPEN_STATUSES)
        | Q(closed_at__gte=lookback)
        | Q(status=Status.NOT_ACCEPTED, updated_at__gte=lookback)
    )

    person_matches = Party.objects.filter(person_q).values_list("case_id", flat=True)
    person_cases = cases_visible_to(user).filter(recent_or_open, pk__in=person_matches)
    matter_cases = Case.objects.none()
    if dispute_type is not None:
        respondent_matches = Party.objects.filter(respondent_q).values_list("case_id", flat=True)
        matter_cases = cases_visible_to(user).filter(
            pk__in=respondent_matches,
            dispute_type=dispute_type,
            status__in=OPEN_STATUSES,
            created_at__gte=window,
        )
    candidates = cases_visible_to(user).filter(
        Q(pk__in=person_cases.values("pk")) | Q(pk__in=matter_cases.values("pk"))
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    found = list(_with_list_relations(candidates).order_by("-created_at")[:50])

    results = []
    for case in found:
        related = RelatedCase(case)
        for mine in parties:
            for theirs in case.parties.all():
                if mine.id_number and mine.id_number == theirs.id_number:
                    related.reasons.append(_("证件号码相同：%(name)s") % {"name": theirs.name})
                elif mine.phone and mine.phone == theirs.phone:
                    related.reasons.append(_("联系电话相同：%(name)s") % {"name": theirs.name})
                elif (
                    mine.name
                    and mine.birth_date
                    and (mine.name, mine.birth_date)
                    == (
                        theirs.name,
                        theirs.birth_date,
                    )
                ):
                    related.reasons.append(_("姓名和出生日期相同：%(name)s") % {"name": theirs.name})
                elif getattr(mine, "credit_code", "") and mine.credit_code == theirs.credit_code:
                    related.reasons.append(_("统一社会信用代码相同：%(name)s") % {"name": theirs.name})
                else:
                    continue
                related.same_person = True
        if (
            dispute_type is not None
            and case.dispute_type_id == dispute_type.pk
            and case.is_open
            and case.created_at >= window
            and any(
                mine.role == Party.Role.RESPONDENT
                and theirs.role == Party.Role.RESPONDENT
                and mine.name
                and mine.name == theirs.name
                for mine in parties
                for theirs in case.parties.all()
            )
        ):
            related.same_matter = True
            related.reasons.append(_("同一被申请人、同类纠纷的未结案件"))
        if related.same_person and related.same_matter is False and case.is_open:
            related.same_matter = any(
                mine.role == theirs.role == Party.Role.RESPONDENT and mine.name == theirs.name
                for mine in parties
                for theirs in case.parties.all()
            )
        related.reasons = list(dict.fromkeys(related.reasons))
        results.append(related)
    return results


# --- The case page's evidence section ------------------------------------------------------------


@dataclass(frozen=True)
class IntakeSection:
    """The case page's 证据材料 card: the evidence and the cases this one is tied to by intake."""

    attachments: list[Attachment]
    can_upload: bool
    repeat_of: Case | None  # the earlier case this visit repeats
    merged_into: Case | None  # the case this one was merged into
    merged: list[Case]  # cases merged into this one
    repeats: list[Case]  # repeat visits of this one


def tied_cases(case: Case) -> QuerySet[Case]:
    """Both sides of both ties in one query: the cases merged into / repeating this one, and the ones it
    was merged into / repeats (newest first, as the case's default order)."""
    ties = Q(merged_into=case) | Q(repeat_of=case)
    linked = [pk for pk in (case.repeat_of_id, case.merged_into_id) if pk is not None]
    if linked:
        ties |= Q(pk__in=linked)
    return Case.objects.filter(ties).only("pk", "number", "created_at", "merged_into_id", "repeat_of_id")


def intake_section(
    case: Case, *, attachments: list[Attachment], can_upload: bool, related: list[Case] | None = None
) -> IntakeSection:
    """``attachments`` and ``can_upload`` come from the case page, which needs them for other sections too;
    ``related``: ``tied_cases(case)``, when the page has loaded it with its other reads."""
    if related is None:
        related = list(tied_cases(case))
    by_pk = {c.pk: c for c in related}
    return IntakeSection(
        attachments=attachments,
        can_upload=can_upload,
        repeat_of=by_pk.get(case.repeat_of_id),
        merged_into=by_pk.get(case.merged_into_id),
        merged=[c for c in related if c.merged_into_id == case.pk],
        repeats=[c for c in related if c.repeat_of_id == case.pk],
    )
