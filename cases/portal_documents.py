"""The documents each case's parties can download from the citizen portal."""

from django.utils.translation import gettext_lazy as _

from cases.documents.receipt import receipt_pdf
from cases.models import Status
from cases.selectors_portal import register_portal_document

register_portal_document(
    "receipt",
    label=_("受理回执"),
    available=lambda case: case.status not in (Status.SUBMITTED, Status.NOT_ACCEPTED),
    render=receipt_pdf,
)
