"""The online application's optional consent to electronic service (电子送达, 民诉法 art. 90).

The citizen's application form (cases/portal) asks this module (settings ``APPLICATION_SERVICE_CONSENT``) for the
statement to show beside the box, and hands a ticked box here inside the submission's transaction: the consent is
recorded for the applicant party exactly as a consent given in the portal would be (``services.give_consent``,
method 在线申请时同意, the statement's SHA-256, a timeline event and an ``e_service`` audit row)."""

from __future__ import annotations

from accounts.models import User
from cases.core.models import Case, Party

from . import services
from .models import ServiceConsent


def statement() -> str:
    return services.statement_text()


def record_from_application(case: Case, *, citizen: User, request=None) -> ServiceConsent:
    applicant = case.parties.filter(role=Party.Role.APPLICANT).order_by("pk").first()
    return services.give_consent.step(
        case,
        party=applicant.pk,
        actor=citizen,
        method=ServiceConsent.Method.ONLINE_APPLICATION,
        request=request,
    )
