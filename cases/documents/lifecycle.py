"""The lifecycle's documents as PDF bytes: agreement, termination notice and case file.

Each builder loads what it needs and renders outside any transaction (rendering is slow);
the citizen portal calls the same functions for its downloads.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Outcome, Status, TerminationNotice
from cases.selectors import case_timeline
from cases.selectors_lifecycle import lifecycle_of
from cases.timeline import label_for
from mediation_center.errors import DomainError

from .pdf import render_pdf


class DocumentNotAvailable(DomainError):
    code = "document_not_available"
    http_status = 404


def _base_context(case: Case) -> dict:
    return {
        "case": case,
        "parties": list(case.parties.all()),
        "printed_on": timezone.localdate(),
        "outcome_label": Outcome(case.outcome).label if case.outcome in Outcome.values else "",
    }


def build_agreement_pdf(case: Case) -> bytes:
    """调解协议书 of the case's current written agreement."""
    lifecycle = lifecycle_of(case)
    if lifecycle.agreement is None:
        raise DocumentNotAvailable(_("本案尚未制作调解协议书。"))
    context = _base_context(case)
    context["agreement"] = lifecycle.agreement
    context["signed_party_ids"] = {s.party_id for s in lifecycle.agreement.signatures.all()}
    context["copies"] = len(context["parties"]) + 1
    return render_pdf("documents/agreement.html", context)


def build_termination_notice_pdf(case: Case) -> bytes:
    """终止调解通知书 (人民调解法 art. 26) of the case's latest termination."""
    lifecycle = lifecycle_of(case)
    if lifecycle.notice is None:
        raise DocumentNotAvailable(_("本案没有终止调解通知书。"))
    context = _base_context(case)
    context["notice"] = lifecycle.notice
    context["all_routes"] = TerminationNotice.Route.choices
    return render_pdf("documents/termination_notice.html", context)


def build_case_file_pdf(case: Case) -> bytes:
    """卷宗 (art. 27): receipt, session records, agreement or notice, evaluation and the timeline."""
    if case.status not in (Status.CONCLUDED, Status.EVALUATED, Status.CLOSED, Status.NOT_ACCEPTED):
        raise DocumentNotAvailable(_("案件办结后才能生成卷宗。"))
    context = _base_context(case)
    context["lifecycle"] = lifecycle_of(case)
    context["events"] = [
        {"event": e, "label": label_for(e.type)} for e in reversed(list(case_timeline(case)))
    ]
    return render_pdf("documents/case_file.html", context)
