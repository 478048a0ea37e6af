"""Who may open an electronic service: the link is signed with the same mechanism as the online signing
links (``django.core.signing``, its own salt, so it is good for nothing else), expires, and names one
service, that is one party and one document version (the served PDF's SHA-256). The signed-in citizen must
be that party (``citizen_party_q``, the portal's one rule). A forged link, or one of another party, answers
404; a genuine link past its age answers 410. Both are pages in Chinese (``LinkRefused``)."""

from django.conf import settings
from django.core import signing

from accounts.models import User
from cases.core.models import Party
from cases.portal.selectors import citizen_party_q
from eservice.models import DocumentService

LINK_SALT = "eservice.document"


class LinkRefused(Exception):
    """The link cannot be used: ``status`` 404 (not this citizen's, or not genuine) or 410 (expired)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def link_token(service: DocumentService) -> str:
    return signing.dumps({"s": service.pk, "p": service.party_id, "h": service.sha256[:16]}, salt=LINK_SALT)


def link_max_age() -> int:
    return settings.ESERVICE_LINK_HOURS * 3600


def service_for_link(user: User, token: str) -> DocumentService:
    """The service a link names, if it is genuine, unexpired and ``user`` is its party."""
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=link_max_age())
    except signing.SignatureExpired as exc:
        raise LinkRefused(410, "expired") from exc
    except signing.BadSignature as exc:
        raise LinkRefused(404, "invalid") from exc
    if not isinstance(payload, dict):
        raise LinkRefused(404, "invalid")
    service = (
        DocumentService.objects.filter(
            pk=payload.get("s"),
            party_id=payload.get("p"),
            method=DocumentService.Method.ELECTRONIC,
            party__in=Party.objects.filter(citizen_party_q(user)),
        )
        .select_related("case", "case__center", "party")
        .first()
    )
    if service is None or service.sha256[:16] != payload.get("h"):
        raise LinkRefused(404, "not_yours")
    return service
