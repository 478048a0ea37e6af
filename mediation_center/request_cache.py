"""One cache round trip for the keys a page is known to read, instead of one each.

A staff page reads the reference-data version (cases/core/workcalendar.py) while the view works and the
sidebar's work counts (cases/workbench/counts.py) while the shell renders: two round trips to Redis, in
different modules, at different moments. ``RequestCacheMiddleware`` asks the providers named in
``settings.REQUEST_CACHE_KEYS`` which keys this request will read (no I/O: each looks at the request); the
first ``get`` of any of them then reads them all with one ``get_many``, and each later first ``get`` of
another is served from that answer. Each key is served so once: a second read goes to the cache as before,
as does every read after ``forget`` (its writer changed it in this request). Only GET and HEAD requests are
batched, and only when there are two keys or more; outside a request ``get`` is ``cache.get``. A cache that
is down raises from ``get`` as ``cache.get`` would, and the request reads each key singly after that.
"""

from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

_batch: ContextVar[dict | None] = ContextVar("request_cache_batch", default=None)


class RequestCacheMiddleware:
    """After authentication and the session: the providers look at ``request.user`` and the session."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.providers = [import_string(dotted) for dotted in settings.REQUEST_CACHE_KEYS]

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        keys: list[str] = []
        for provider in self.providers:
            keys += provider(request)
        if len(keys) < 2:
            return self.get_response(request)
        token = _batch.set({"wanted": set(keys), "got": None})
        try:
            return self.get_response(request)
        finally:
            _batch.reset(token)


def get(key: str, default=None):
    """``cache.get(key, default)``; the first read of a key this request was known to read comes from one
    ``get_many`` of them all."""
    batch = _batch.get()
    if batch is None or key not in batch["wanted"]:
        return cache.get(key, default)
    if batch["got"] is None:
        wanted = batch["wanted"]
        batch["wanted"] = set()  # should get_many fail, each key is then read on its own
        batch["got"] = cache.get_many(list(wanted))
        batch["wanted"] = wanted
    batch["wanted"].discard(key)
    return batch["got"].pop(key, default)


def forget(key: str) -> None:
    """The key's value changed in this request: its next read goes to the cache."""
    batch = _batch.get()
    if batch is not None:
        batch["wanted"].discard(key)
        if batch["got"] is not None:
            batch["got"].pop(key, None)
