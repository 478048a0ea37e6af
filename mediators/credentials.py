"""Whether a mediator's credentials are valid, expiring (within ``EXPIRY_WARNING_DAYS``) or expired.

A credential kind counts as expired only when every credential of that kind the mediator holds has
expired: a renewal is a new row, and the old one stays as history."""

from collections.abc import Iterable
from datetime import date, timedelta

EXPIRY_WARNING_DAYS = 30

VALID, EXPIRING, EXPIRED = "valid", "expiring", "expired"


def credential_state(credentials: Iterable, today: date) -> tuple[str, date | None]:
    """The worst state over the kinds held, and the date that decides it (None when nothing expires)."""
    latest: dict[str, date | None] = {}
    for c in credentials:
        if c.kind in latest and latest[c.kind] is None:
            continue
        latest[c.kind] = (
            None if c.expires_on is None else max(c.expires_on, latest.get(c.kind) or c.expires_on)
        )
    dates = [d for d in latest.values() if d is not None]
    if not dates:
        return VALID, None
    first = min(dates)
    if first < today:
        return EXPIRED, first
    if first <= today + timedelta(days=EXPIRY_WARNING_DAYS):
        return EXPIRING, first
    return VALID, first
