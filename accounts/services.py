"""Writes for accounts: the security audit record."""

from django.http import HttpRequest

from .models import SecurityAuditEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[0].strip() or None) if forwarded else request.META.get("REMOTE_ADDR")


def record_security_event(
    type: str,
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    username: str = "",
    success: bool = True,
    detail: dict | None = None,
) -> SecurityAuditEvent:
    """Append one security audit row; rows are never updated or deleted through the application."""
    if user is not None and getattr(user, "is_authenticated", False):
        username = username or user.get_username()
    else:
        user = None
    return SecurityAuditEvent.objects.create(
        type=type,
        user=user,
        username=username[:150],
        ip_address=client_ip(request),
        success=success,
        detail=detail or {},
    )
