"""The documents of a hand-off to the court: the joint application for judicial confirmation (司法确认申请书,
人民调解法 art. 33; 法释〔2011〕5号) and the referral letter of a failed or terminated mediation (诉调对接移送函).

They are declared in ``catalogue`` like every other document; the courtlink app puts them, with the
agreement, the termination notice and the case file, into the package it hands to the court.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from cases.core.models import Case
from cases.lifecycle.selectors import lifecycle_of

from .lifecycle import _base_context
from .pdf import DocumentTooLarge, render_pdf
from .registry import DocumentNotAvailable


def _all_parties(case: Case, context: dict) -> dict:
    if context["more_parties"]:
        # every applicant signs the application, so it cannot be summarised
        raise DocumentTooLarge(
            _("本案登记了 %(count)d 名当事人，超过每案 %(limit)d 名的上限，无法生成，请先核对当事人名单。")
            % {"count": context["party_count"], "limit": settings.CASE_MAX_PARTIES}
        )
    return context


def build_confirmation_application_pdf(
    case: Case, *, full_identity: bool = False, court_name: str = ""
) -> bytes:
    """司法确认申请书 for the case's effective agreement; ``full_identity``: full ID numbers and phones (the
    court's copy), masked otherwise."""
    lifecycle = lifecycle_of(case)
    agreement = lifecycle.agreement
    if agreement is None or not agreement.is_effective:
        raise DocumentNotAvailable(_("调解协议生效后才能申请司法确认。"))
    context = _all_parties(case, _base_context(case, listed=settings.CASE_MAX_PARTIES))
    context.update(
        {
            "agreement": agreement,
            "terms": list(agreement.terms.all()),
            "deadline": agreement.confirmation_deadline,
            "full_identity": full_identity,
            "court_name": court_name,
        }
    )
    return render_pdf("cases/documents/confirmation_application.html", context)


def build_litigation_referral_pdf(case: Case, *, full_identity: bool = False, route_label: str = "") -> bytes:
    """诉调对接移送函: the facts, the claims, the sessions held and the termination notice of a mediation that
    failed or was terminated, for the court it is handed to."""
    lifecycle = lifecycle_of(case)
    if lifecycle.notice is None and case.outcome != "transferred":
        raise DocumentNotAvailable(_("调解终止或转诉讼后才能移送法院。"))
    context = _all_parties(case, _base_context(case, listed=settings.CASE_MAX_PARTIES))
    context.update(
        {
            "notice": lifecycle.notice,
            "sessions": list(lifecycle.sessions)[:50],
            "full_identity": full_identity,
            "route_label": route_label,
        }
    )
    return render_pdf("cases/documents/litigation_referral.html", context)
