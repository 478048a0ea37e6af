"""The webhook sender's HTTP client: one kept-alive connection per receiver per thread.

A delivery is a small signed POST; over a fresh connection most of its time is the TCP (and TLS) handshake
and the receiver's accept. Each sending thread keeps its connection to a receiver open and reuses it for the
next event (HTTP/1.1 keep-alive), and drops it on any error or when the receiver says ``Connection: close``.
A request on a reused connection that the receiver had closed while idle fails before any answer; it is
sent once more on a fresh connection (the receiver never saw it). Any other failure is returned to the
caller, which retries with backoff (``services.deliver_case_events``); receivers drop repeats by event id.
"""

from __future__ import annotations

import http.client
import ssl
import threading
from urllib.parse import urlsplit

_local = threading.local()
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


def _connections() -> dict[tuple[str, str, int], http.client.HTTPConnection]:
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    return pool


def close_all() -> None:
    """Close this thread's kept-alive connections (a sending thread calls it when it is done)."""
    pool = _connections()
    for conn in pool.values():
        conn.close()
    pool.clear()


def _connect(scheme: str, host: str, port: int, timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
    return http.client.HTTPConnection(host, port, timeout=timeout)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> tuple[int | None, str]:
    """POST once; (status code, error text). A timeout, refusal or reset has no status code."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            return None, f"unsupported URL: {url[:200]}"
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:  # a malformed port
        return None, str(exc)[:500]
    key = (scheme, parts.hostname, port)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pool = _connections()
    for attempt in (0, 1):
        reused = key in pool
        conn = pool.get(key) or _connect(scheme, parts.hostname, port, timeout)
        pool[key] = conn
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read(1024)
            if response.will_close or response.length:  # unread body or "Connection: close": start afresh
                conn.close()
                pool.pop(key, None)
            return response.status, "" if response.status < 400 else f"HTTP {response.status}"
        except _STALE as exc:
            conn.close()
            pool.pop(key, None)
            if reused and attempt == 0:
                continue  # the receiver closed the idle connection: the request never reached it
            return None, str(exc)[:500] or type(exc).__name__
        except (OSError, http.client.HTTPException, ValueError) as exc:  # timeouts, refusals, bad answers
            conn.close()
            pool.pop(key, None)
            return None, str(exc)[:500] or type(exc).__name__
    return None, "connection closed"  # not reached: the second attempt always returns
