"""Who may use online signing: a party's signing link is single-purpose (its own salt), expires, and is bound
to one party of one agreement; the signed-in citizen must be that party. Anything else answers 404."""

from django.conf import settings
from django.core import signing
from django.http import Http404

from accounts.models import User
from cases.core.models import Party
from cases.lifecycle.models import Agreement
from cases.portal.selectors import citizen_party_q

SIGN_LINK_SALT = "online.sign-agreement"


def sign_link_token(agreement: Agreement, party: Party) -> str:
    return signing.dumps({"a": agreement.pk, "p": party.pk}, salt=SIGN_LINK_SALT)


def sign_link_max_age() -> int:
    return settings.ONLINE_SIGN_LINK_HOURS * 3600


def party_for_sign_link(user: User, token: str) -> tuple[Agreement, Party]:
    """The agreement and party a link names, if it is genuine, unexpired and ``user`` is that party."""
    try:
        payload = signing.loads(token, salt=SIGN_LINK_SALT, max_age=sign_link_max_age())
    except signing.BadSignature as exc:  # also SignatureExpired
        raise Http404 from exc
    party = (
        Party.objects.filter(citizen_party_q(user), pk=payload.get("p"))
        .select_related("case", "case__center")
        .first()
    )
    agreement = (
        Agreement.objects.filter(pk=payload.get("a"), case_id=party.case_id, voided=False).first()
        if party is not None
        else None
    )
    if agreement is None:
        raise Http404
    return agreement, party
