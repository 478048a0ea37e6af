"""The lifecycle's documents as PDF bytes: agreement, termination notice and case file.

Each builder loads what it needs and renders outside any transaction (rendering is slow); the
registry's documents (``catalogue``) render with these for staff and the citizen portal alike, and a
builder asked for what the case does not hold refuses it (``DocumentNotAvailable``, answered 404).
What a case may hold without bound (parties of a case pushed before CASE_MAX_PARTIES existed, timeline
events) is listed up to a limit and summarised past it, so every document renders in bounded time.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.core.models import Case
from cases.core.selectors import case_timeline
from cases.core.states import FINISHED_STATUSES, Outcome
from cases.core.timeline import label_for
from cases.lifecycle.models import TerminationNotice
from cases.lifecycle.selectors import lifecycle_of

from .pdf import LISTED_PARTIES, DocumentTooLarge, listed_parties, render_pdf
from .registry import DocumentNotAvailable

# The case file lists the first and the latest events of a longer timeline, and says how many are left out.
CASE_FILE_FIRST_EVENTS = 100
CASE_FILE_LATEST_EVENTS = 400


def _base_context(case: Case, *, listed: int = LISTED_PARTIES) -> dict:
    parties, party_count = listed_parties(case, listed)
    return {
        "case": case,
        "parties": parties,
        "party_count": party_count,
        "more_parties": party_count - len(parties),
        "printed_on": timezone.localdate(),
        "outcome_label": Outcome(case.outcome).label if case.outcome in Outcome.values else "",
    }


def build_agreement_pdf(case: Case, *, full_identity: bool = False) -> bytes:
    """调解协议书 of the case's current written agreement; ``full_identity``: full ID numbers and phones (the
    staff copy, for 司法确认), masked otherwise."""
    lifecycle = lifecycle_of(case)
    if lifecycle.agreement is None:
        raise DocumentNotAvailable(_("本案尚未制作调解协议书。"))
    limit = settings.CASE_MAX_PARTIES
    context = _base_context(case, listed=limit)
    if context["more_parties"]:
        # Every party signs the agreement, so it cannot be summarised: a case over the limit is refused.
        raise DocumentTooLarge(
            _(
                "本案登记了 %(count)d 名当事人，超过每案 %(limit)d 名的上限。调解协议书须列明每一名当事人并由其签名，"
                "无法生成，请先核对当事人名单。"
            )
            % {"count": context["party_count"], "limit": limit}
        )
    context["agreement"] = lifecycle.agreement
    context["signed_party_ids"] = {s.party_id for s in lifecycle.agreement.signatures.all()}
    context["copies"] = context["party_count"] + 1
    context["full_identity"] = full_identity
    return render_pdf("cases/documents/agreement.html", context)


def build_termination_notice_pdf(case: Case) -> bytes:
    """终止调解通知书 (人民调解法 art. 26) of the case's latest termination."""
    lifecycle = lifecycle_of(case)
    if lifecycle.notice is None:
        raise DocumentNotAvailable(_("本案没有终止调解通知书。"))
    context = _base_context(case)
    context["notice"] = lifecycle.notice
    context["all_routes"] = TerminationNotice.Route.choices
    return render_pdf("cases/documents/termination_notice.html", context)


def _case_file_events(case: Case) -> tuple[list[dict], list[dict], int]:
    """The timeline, oldest first: all of it, or its first and latest events and how many lie between."""
    events = case_timeline(case)  # newest first
    total = events.count()
    keep = CASE_FILE_FIRST_EVENTS + CASE_FILE_LATEST_EVENTS
    if total <= keep:
        first, latest = list(reversed(list(events))), []
    else:
        first = list(events.reverse()[:CASE_FILE_FIRST_EVENTS])
        latest = list(reversed(list(events[:CASE_FILE_LATEST_EVENTS])))

    def rows(items):
        return [{"event": e, "label": label_for(e.type)} for e in items]

    return rows(first), rows(latest), total - len(first) - len(latest)


def build_case_file_pdf(case: Case, *, full_identity: bool = False) -> bytes:
    """卷宗 (art. 27): receipt, session records, agreement or notice, evaluation and the timeline;
    ``full_identity``: full ID numbers and phones (the staff copy), masked otherwise."""
    if case.status not in FINISHED_STATUSES:
        raise DocumentNotAvailable(_("案件办结后才能生成卷宗。"))
    # The registration record lists every party a case may hold; past that (older pushes) it summarises.
    context = _base_context(case, listed=settings.CASE_MAX_PARTIES)
    context["cover_parties"] = context["parties"][:LISTED_PARTIES]
    context["lifecycle"] = lifecycle_of(case)
    context["events"], context["latest_events"], context["events_left_out"] = _case_file_events(case)
    context["full_identity"] = full_identity
    return render_pdf("cases/documents/case_file.html", context)
