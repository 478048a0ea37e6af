"""The documents each case's parties can download from the citizen portal."""

from django.utils.translation import gettext_lazy as _

from cases.core.states import Status
from cases.documents.lifecycle import build_agreement_pdf, build_termination_notice_pdf
from cases.documents.receipt import receipt_pdf
from cases.lifecycle.models import Agreement, TerminationNotice
from cases.portal.selectors import register_portal_document

register_portal_document(
    "receipt",
    label=_("受理回执"),
    available=lambda case: case.status not in (Status.SUBMITTED, Status.NOT_ACCEPTED),
    render=receipt_pdf,
)
register_portal_document(
    "agreement",
    label=_("调解协议书"),
    # Parties get the agreement once it has taken effect (every signature and the seal are on it).
    available=lambda case: Agreement.objects.filter(case=case, effective_on__isnull=False).exists(),
    render=build_agreement_pdf,
)
register_portal_document(
    "termination_notice",
    label=_("终止调解通知书"),
    available=lambda case: TerminationNotice.objects.filter(case=case).exists(),
    render=build_termination_notice_pdf,
)
