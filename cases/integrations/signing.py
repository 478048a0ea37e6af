"""The signature on a delivery: HMAC-SHA256 with the system's secret over ``"<timestamp>.<body>"``.

Headers: ``X-Mediation-Timestamp`` (Unix seconds), ``X-Mediation-Signature: sha256=<hex>``, and
``X-Mediation-Event-Id`` (stable across retries: the receiver drops an id it has seen). A receiver checks the
signature and refuses a timestamp outside the replay window, so a captured delivery cannot be replayed later.
"""

import hashlib
import hmac
import secrets
import time

TIMESTAMP_HEADER = "X-Mediation-Timestamp"
SIGNATURE_HEADER = "X-Mediation-Signature"
EVENT_ID_HEADER = "X-Mediation-Event-Id"
REPLAY_WINDOW_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(
    secret: str, body: bytes, event_id: str, *, timestamp: int | None = None
) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json; charset=utf-8",
        EVENT_ID_HEADER: event_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, body, timestamp),
    }


def verify(
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    *,
    now: float | None = None,
    window: int = REPLAY_WINDOW_SECONDS,
) -> str | None:
    """None if the delivery is genuine and fresh; otherwise why not (for the receiver's log)."""
    if not timestamp or not signature:
        return "missing signature headers"
    try:
        ts = int(timestamp)
    except ValueError:
        return "bad timestamp"
    now = time.time() if now is None else now
    if abs(now - ts) > window:
        return "timestamp outside the replay window"
    if not hmac.compare_digest(sign(secret, body, ts), signature):
        return "bad signature"
    return None
