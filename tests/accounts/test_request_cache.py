"""A staff page reads its known cache keys (the reference-data version, the sidebar's counts) in one round trip
(mediation_center/request_cache.py), with the same page as when each is read on its own; a key its writer
changed in the request is read afresh; outside a request nothing is batched."""

import re
from unittest import mock

import pytest
from django.core.cache import cache, caches
from django.urls import reverse

from cases.core.workcalendar import REFERENCE_VERSION_KEY, reference_version
from cases.workbench.counts import _cache_key
from mediation_center import request_cache

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


class Calls:
    def __init__(self):
        self.log: list[tuple[str, tuple]] = []
        self.inside = 0

    def __enter__(self):
        backend = caches["default"]
        self.patches = []
        for name in ("get", "get_many"):
            real = getattr(backend, name)

            def spy(*args, _real=real, _name=name, **kwargs):
                if not self.inside:  # not the gets the file cache's get_many makes
                    self.log.append((_name, args))
                self.inside += 1
                try:
                    return _real(*args, **kwargs)
                finally:
                    self.inside -= 1

            self.patches.append(mock.patch.object(backend, name, spy))
        for patch in self.patches:
            patch.start()
        return self

    def __exit__(self, *exc):
        for patch in self.patches:
            patch.stop()


def _page(client, user, path):
    client.force_login(user)
    client.get(path)  # the counts and the version cached
    with Calls() as calls:
        response = client.get(path)
    assert response.status_code == 200
    return TOKEN.sub("", response.content.decode()), calls.log


@pytest.mark.parametrize(("persona", "page"), [("mediator", "routing:queue"), ("supervisor", "cases:list")])
def test_one_round_trip_for_the_version_and_the_counts_and_the_same_page(request, client, settings, persona, page):
    user = request.getfixturevalue(persona)
    batched, calls = _page(client, user, reverse(page))
    wanted = {REFERENCE_VERSION_KEY, _cache_key(user, None)}
    assert [set(args[0]) for name, args in calls if name == "get_many"] == [wanted]

    settings.REQUEST_CACHE_KEYS = []
    from django.test import Client

    single, unbatched = _page(Client(), user, reverse(page))  # a new client: its middleware read afresh
    assert single == batched
    if {args[0] for name, args in unbatched if name == "get"} >= wanted:  # the page reads both
        assert len(calls) == len(unbatched) - 1  # one round trip fewer
    else:  # the case list of an empty county reads no reference data: the get_many stands for one get
        assert page == "cases:list" and len(calls) == len(unbatched)


def test_each_key_served_once_and_forgotten_when_written():
    cache.set("a", 1)
    cache.set("b", 2)
    token = request_cache._batch.set({"wanted": {"a", "b"}, "got": None})
    try:
        assert request_cache.get("a") == 1
        cache.set("b", 3)
        request_cache.forget("b")  # its writer changed it: the batch's 2 is not served
        assert request_cache.get("b") == 3
        cache.set("a", 4)
        assert request_cache.get("a") == 4  # a second read goes to the cache
    finally:
        request_cache._batch.reset(token)
    assert request_cache.get("a") == 4  # outside a request: cache.get


def test_a_new_version_in_the_request_is_read_afresh(db):
    from cases.core.workcalendar import bump_reference_version

    first = reference_version()
    token = request_cache._batch.set({"wanted": {REFERENCE_VERSION_KEY, "x"}, "got": None})
    try:
        request_cache.get("x")  # the batch read: holds the version as it was
        bump_reference_version()
        assert reference_version() != first
    finally:
        request_cache._batch.reset(token)
