"""Every document a case can have, each declared once (imported at ``apps.ready``; see ``registry``).

A new document is one class here: its kind, label, staff download path, who may have it when, and the
function that renders it. Pages, the API, the portal and the downloads read these and nothing else.
"""

from django.utils.translation import gettext_lazy as _

from cases.core.models import Case
from cases.core.states import ACCEPTED_STATUSES, FINISHED_STATUSES
from cases.documents.court import build_confirmation_application_pdf, build_litigation_referral_pdf
from cases.documents.lifecycle import build_agreement_pdf, build_case_file_pdf, build_termination_notice_pdf
from cases.documents.receipt import receipt_pdf
from cases.documents.registry import Document, Papers, Viewer, register


@register
class Receipt(Document):
    """受理回执: for an accepted case, to staff and parties alike. An application not yet accepted has
    none, and a refused one gets a 不予受理 notice instead, even if it was accepted before."""

    kind = "receipt"
    label = _("受理回执")
    path = "receipt.pdf"
    url_name = "intake-receipt"
    staff_stem = "receipt"

    def available(self, case: Case, viewer: Viewer, papers: Papers) -> bool:
        return case.status in ACCEPTED_STATUSES

    def render(self, case: Case) -> bytes:
        return receipt_pdf(case)


@register
class AgreementDocument(Document):
    """调解协议书: staff print the current agreement from its first draft (it is signed on paper); parties get
    it once it has taken effect (every signature and the seal are on it)."""

    kind = "agreement"
    label = _("调解协议书")
    path = "agreement.pdf"
    url_name = "agreement_pdf"
    staff_stem = "agreement"
    full_identity = True  # 司法确认: the court needs each party's full identity

    def available(self, case: Case, viewer: Viewer, papers: Papers) -> bool:
        agreement = papers.agreement
        if agreement is None:
            return False
        return viewer is Viewer.STAFF or agreement.is_effective

    def render(self, case: Case, *, full_identity: bool = False) -> bytes:
        return build_agreement_pdf(case, full_identity=full_identity)


@register
class TerminationNoticeDocument(Document):
    """终止调解通知书 (人民调解法 art. 26): once mediation has been terminated, to staff and parties."""

    kind = "termination_notice"
    label = _("终止调解通知书")
    path = "termination-notice.pdf"
    url_name = "termination_notice_pdf"
    staff_stem = "termination"

    def available(self, case: Case, viewer: Viewer, papers: Papers) -> bool:
        return papers.notice is not None

    def render(self, case: Case) -> bytes:
        return build_termination_notice_pdf(case)


@register
class CaseFile(Document):
    """卷宗 (art. 27): the archive's bundle, made once handling is over; for staff only (it holds the internal
    timeline and every party's details)."""

    kind = "case_file"
    label = _("卷宗")
    path = "case-file.pdf"
    url_name = "case_file_pdf"
    staff_stem = "case-file"
    full_identity = True  # the archive's record of who the parties are

    def available(self, case: Case, viewer: Viewer, papers: Papers) -> bool:
        return viewer is Viewer.STAFF and case.status in FINISHED_STATUSES

    def render(self, case: Case, *, full_identity: bool = False) -> bytes:
        return build_case_file_pdf(case, full_identity=full_identity)


@register
class ConfirmationApplication(Document):
    """司法确认申请书 (人民调解法 art. 33): once the agreement has taken effect, for staff (the courtlink app
    puts it in the package handed to the court, with full identity through the audited reveal)."""

    kind = "confirmation_application"
    label = _("司法确认申请书")
    path = "confirmation-application.pdf"
    url_name = "confirmation_application_pdf"
    staff_stem = "confirmation-application"
    full_identity = True  # the court needs each party's full identity

    def available(self, case: Case, viewer: Viewer, papers: Papers) -> bool:
        agreement = papers.agreement
        return viewer is Viewer.STAFF and agreement is not None and agreement.is_effective

    def render(self, case: Case, *, full_identity: bool = False) -> bytes:
        return build_confirmation_application_pdf(case, full_identity=full_identity)


@register
class LitigationReferral(Document):
    """诉调对接移送函: a failed or terminated mediation handed to the court; for staff."""

    kind = "litigation_referral"
    label = _("诉调对接移送函")
    path = "litigation-referral.pdf"
    url_name = "litigation_referral_pdf"
    staff_stem = "litigation-referral"
    full_identity = True

    def available(self, case: Case, viewer: Viewer, papers: Papers) -> bool:
        return (
            viewer is Viewer.STAFF
            and case.status in FINISHED_STATUSES
            and (
                case.outcome == "transferred"
                or (case.outcome in ("failed", "refused") and papers.notice is not None)
            )
        )

    def render(self, case: Case, *, full_identity: bool = False) -> bytes:
        return build_litigation_referral_pdf(case, full_identity=full_identity)
