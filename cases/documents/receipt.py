"""The acceptance receipt (受理回执): data loaded first, then rendered with no transaction open."""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone

from cases.core.assignments import active_assignments
from cases.core.models import Case
from cases.core.states import ACCEPTED_STATUSES, Status
from cases.documents.pdf import LISTED_PARTIES, listed_parties, qr_data_uri, render_pdf
from cases.portal.selectors import next_step_for
from cases.warnings.clocks import case_deadlines


def status_url(case: Case) -> str:
    """The citizen's status page for this case (the portal's page, queried by tracking code)."""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/portal/status/?{urlencode({'code': case.tracking_code})}"


def receipt_context(case: Case) -> dict:
    accepted = timezone.localtime(case.accepted_at or case.created_at)
    url = status_url(case)
    # A receipt is a slip: it names the first parties and says how many there are ("等 N 人").
    parties, party_count = listed_parties(case, LISTED_PARTIES)
    headline = case_deadlines(case, citizen=True).headline
    # Routed: accepted, past registration, with its channel (a submitted or refused case has no receipt).
    routed = (
        case.channel_id is not None and case.status in ACCEPTED_STATUSES and case.status != Status.REGISTERED
    )
    handlers = (
        [
            a.mediator
            for a in active_assignments().filter(case=case).select_related("mediator").order_by("-is_lead")
        ]
        if routed
        else []
    )
    return {
        "case": case,
        "center": case.origin_center,
        "parties": parties,
        "party_count": party_count,
        "more_parties": party_count - len(parties),
        "accepted_at": accepted,
        # What is true when printed: once routed, where and to whom, and the stage's next step.
        "routed": routed,
        "channel": case.channel if routed else None,
        "handlers": [str(m.display_name or m.get_username()) for m in handlers],
        "next_step": str(next_step_for(case)),
        "next_step_days": settings.INTAKE_NEXT_STEP_DAYS,
        # INTAKE_NEXT_STEP_DAYS stands in until the deadline rules give a real due date.
        "next_step_by": (accepted + timedelta(days=settings.INTAKE_NEXT_STEP_DAYS)).date(),
        # The headline deadline (the clock governing the case's current stage), as on every other page.
        "handling_due": timezone.localtime(headline.due_at).date() if headline else None,
        "handling_name": headline.name if headline else "",
        "handling_provisional": bool(headline and headline.provisional),
        "status_url": url,
        "qr": qr_data_uri(url),
        "printed_at": timezone.localtime(),
    }


def receipt_pdf(case: Case) -> bytes:
    """PDF bytes of the receipt. Call outside ``transaction.atomic()``: rendering is slow."""
    return render_pdf("cases/documents/receipt.html", receipt_context(case))
