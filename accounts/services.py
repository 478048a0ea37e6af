"""Writes for accounts: the security audit record."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from .models import SecurityAuditEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address; X-Forwarded-For only counts behind our own proxy (TRUSTED_PROXY_COUNT > 0)."""
    if request is None:
        return None
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if hops and len(forwarded) >= hops:
        # Each trusted proxy appends the address it saw; the client is the one our first proxy saw.
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")


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


def security_event_insert(
    type: str, *, request: HttpRequest | None = None, success: bool = True, detail: dict | None = None
) -> tuple[str, list]:
    """The ``INSERT`` of one anonymous security audit row, as SQL and parameters, for a caller that sends it in
    the same statement as its own read (a data-modifying ``WITH``, PostgreSQL): the row commits with that
    statement, with no round trip or commit of its own. The same row ``record_security_event`` writes; the
    records/ trigger seals it all the same."""
    meta = SecurityAuditEvent._meta
    fields = ["created_at", "type", "user_id", "username", "ip_address", "success", "detail"]
    values = [timezone.now(), type, None, "", client_ip(request), success, detail or {}]
    params = [
        meta.get_field(name if name != "user_id" else "user").get_db_prep_save(value, connection)
        for name, value in zip(fields, values, strict=True)
    ]
    columns = ", ".join(connection.ops.quote_name(name) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {meta.db_table} ({columns}) VALUES ({placeholders}) RETURNING id", params
