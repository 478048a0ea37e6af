"""Who may use a party's link: a signing link or an online-session link is single-purpose (each its own salt),
expires, and is bound to one party of one agreement or session; the signed-in citizen must be that party.
Anything else answers 404."""

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


def _party_of_link(user: User, token: str, *, salt: str, max_age: int) -> tuple[dict, Party | None]:
    """The link's payload and the party it names if the link is genuine and unexpired and ``user`` is that
    party (None otherwise); the one binding check of every party link."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature as exc:  # also SignatureExpired
        raise Http404 from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), int):
        raise Http404
    party = (
        Party.objects.filter(citizen_party_q(user), pk=payload["p"])
        .select_related("case", "case__center")
        .first()
    )
    return payload, party


def party_for_sign_link(user: User, token: str) -> tuple[Agreement, Party]:
    """The agreement and party a link names, if it is genuine, unexpired and ``user`` is that party."""
    payload, party = _party_of_link(user, token, salt=SIGN_LINK_SALT, max_age=sign_link_max_age())
    agreement = (
        Agreement.objects.filter(pk=payload.get("a"), case_id=party.case_id, voided=False).first()
        if party is not None
        else None
    )
    if agreement is None:
        raise Http404
    return agreement, party


SESSION_LINK_SALT = "online.session-invite"


def session_link_token(online_session, party: Party) -> str:
    return signing.dumps({"s": online_session.pk, "p": party.pk}, salt=SESSION_LINK_SALT)


def party_for_session_link(user: User, token: str):
    """The online session and party a session link names, if the link is genuine, unexpired, ``user`` is
    that party and the party takes part in that session (404 otherwise)."""
    from online.models import OnlineSession

    payload, party = _party_of_link(
        user, token, salt=SESSION_LINK_SALT, max_age=settings.ONLINE_SESSION_LINK_HOURS * 3600
    )
    online_session = (
        OnlineSession.objects.filter(pk=payload.get("s"), participants__party=party)
        .select_related("session")
        .first()
        if party is not None
        else None
    )
    if online_session is None or online_session.session.case_id != party.case_id:
        raise Http404
    return online_session, party
