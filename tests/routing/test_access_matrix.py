"""Every case page and API endpoint of this branch against every persona.

One row per endpoint: which object it is about, its methods (and whether each reads or
writes), and how each persona stands towards that object. Add a row to cover a new URL.

A persona who may not see the object gets 404 on every method; one who may see but not
change it gets 200 on reads and 403 on writes; one who may change it gets the row's
success code; a method the endpoint does not have answers 405.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from routing.models import Summons

NONE, READ, WRITE = "none", "read", "write"
PERSONAS = [
    "clerk",
    "mediator",
    "other_mediator",
    "liaison",
    "other_liaison",
    "supervisor",
    "foreign_supervisor",
    "outsider",
    "citizen",
]

# How each persona stands towards a case assigned to `mediator`, with 人社局 (liaison's department) summoned.
ASSIGNED = {
    "clerk": READ,  # registered it; it has left intake
    "mediator": WRITE,  # assigned
    "other_mediator": NONE,  # another channel
    "liaison": NONE,  # sees the case only through the summons
    "other_liaison": NONE,
    "supervisor": WRITE,
    "foreign_supervisor": NONE,
    "outsider": NONE,
    "citizen": NONE,
}
SUPERVISOR_ONLY = {**ASSIGNED, "mediator": READ}
# A registered case still at intake (nothing routed, nobody assigned).
REGISTERED = {**ASSIGNED, "mediator": NONE, "clerk": WRITE}
# An unclaimed case in the specialist queue: mediator may claim; supervisor sees but does not claim.
QUEUED = {**ASSIGNED, "supervisor": READ}
# The summons of 人社局 on the assigned case.
SUMMONS = {**ASSIGNED, "clerk": READ, "mediator": READ, "supervisor": READ, "liaison": WRITE}


@dataclass
class Endpoint:
    url_name: str
    target: str  # "assigned" | "agreed" | "failed" | "registered" | "queued" | "summons"
    levels: dict
    methods: list  # (method, READ or WRITE, success status, data)
    wrong_method: str = "put"
    extra: dict = field(default_factory=dict)


def _get(status=200):
    return ("get", READ, status, None)


ENDPOINTS = [
    # case pages (cases app, with routing's section)
    Endpoint("cases:detail", "assigned", ASSIGNED, [_get()], wrong_method="post"),
    Endpoint("api-case-detail", "assigned", ASSIGNED, [_get()], wrong_method="post"),
    Endpoint("cases:intake-receipt", "assigned", ASSIGNED, [_get()], wrong_method="post"),
    # lifecycle documents (PDF), once the case has reached the stage that makes each one
    Endpoint("cases:agreement_pdf", "agreed", ASSIGNED, [_get()], wrong_method="post"),
    Endpoint("cases:case_file_pdf", "agreed", ASSIGNED, [_get()], wrong_method="post"),
    Endpoint("cases:termination_notice_pdf", "failed", ASSIGNED, [_get()], wrong_method="post"),
    # routing pages
    Endpoint(
        "routing:route_case", "registered", REGISTERED, [("get", WRITE, 200, None), ("post", WRITE, 200, {})]
    ),
    Endpoint("routing:claim", "queued", QUEUED, [("post", WRITE, 302, {})], wrong_method="get"),
    Endpoint(
        "routing:assign", "assigned", SUPERVISOR_ONLY, [("get", WRITE, 200, None), ("post", WRITE, 200, {})]
    ),
    Endpoint("routing:transfer", "assigned", ASSIGNED, [("get", WRITE, 200, None), ("post", WRITE, 200, {})]),
    Endpoint("routing:summon", "assigned", ASSIGNED, [("get", WRITE, 200, None), ("post", WRITE, 200, {})]),
    Endpoint(
        "routing:grant", "assigned", SUPERVISOR_ONLY, [("get", WRITE, 200, None), ("post", WRITE, 200, {})]
    ),
    Endpoint(
        "routing:recuse",
        "assigned",
        {**ASSIGNED, "clerk": READ},
        [("get", READ, 200, None)],
        wrong_method="put",
    ),
    Endpoint("routing:summons_detail", "summons", SUMMONS, [_get()], wrong_method="post"),
    Endpoint("routing:summons_accept", "summons", SUMMONS, [("post", WRITE, 302, {})], wrong_method="get"),
    Endpoint("routing:summons_decline", "summons", SUMMONS, [("post", WRITE, 302, {})], wrong_method="get"),
    Endpoint("routing:summons_action", "summons", SUMMONS, [("post", WRITE, 302, {})], wrong_method="get"),
    # API
    Endpoint(
        "api-case-route",
        "registered",
        REGISTERED,
        [("get", WRITE, 200, None), ("post", WRITE, 400, {"channel": "x"})],
    ),
    Endpoint("api-case-claim", "queued", QUEUED, [("post", WRITE, 201, {})], wrong_method="get"),
    Endpoint("api-case-assignments", "assigned", SUPERVISOR_ONLY, [_get(), ("post", WRITE, 400, {})]),
    Endpoint("api-case-transfer", "assigned", ASSIGNED, [("post", WRITE, 400, {})], wrong_method="get"),
    Endpoint("api-case-summonses", "assigned", ASSIGNED, [_get(), ("post", WRITE, 400, {})]),
    Endpoint("api-summons-detail", "summons", SUMMONS, [_get()], wrong_method="post"),
    Endpoint("api-summons-accept", "summons", SUMMONS, [("post", WRITE, 200, {})], wrong_method="get"),
    Endpoint("api-summons-decline", "summons", SUMMONS, [("post", WRITE, 400, {})], wrong_method="get"),
    Endpoint(
        "api-summons-action",
        "summons",
        SUMMONS,
        [("post", WRITE, 409, {"action": "到场"})],
        wrong_method="get",
    ),
]


@pytest.fixture
def targets(make_case, routed_case, mediator, liaison):
    from cases.lifecycle import services as lifecycle
    from cases.models import TerminationNotice
    from routing import services
    from tests.cases.lifecycle_helpers import make_effective, session

    assigned = routed_case()
    services.claim_case(assigned, actor=mediator)
    agreed, failed = routed_case(), routed_case()
    for case in (agreed, failed):
        services.claim_case(case, actor=mediator)
        session(case, mediator)
    make_effective(agreed, mediator)
    lifecycle.conclude_case(agreed, actor=mediator, outcome="written_agreement")
    lifecycle.conclude_case(
        failed,
        actor=mediator,
        outcome="failed",
        reason="被申请人不同意任何支付方案。",
        routes=[TerminationNotice.Route.COURT],
    )
    return {
        "assigned": assigned.pk,
        "agreed": agreed.pk,
        "failed": failed.pk,
        "registered": make_case().pk,
        "queued": routed_case().pk,
        "summons": Summons.objects.get(case=assigned).pk,
    }


def _call(client, method, url, data, api):
    if data is not None and api:
        return getattr(client, method)(url, data, content_type="application/json")
    if data is not None:
        return getattr(client, method)(url, data)
    return getattr(client, method)(url)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.url_name)
def test_access_matrix(request, client, endpoint, targets):
    url = reverse(endpoint.url_name, args=[targets[endpoint.target]])
    api = endpoint.url_name.startswith("api-")
    # writers last: their successful POST may change the object the others are checked against
    order = sorted(PERSONAS, key=lambda p: endpoint.levels[p] == WRITE)
    failures = []
    for persona in order:
        user = request.getfixturevalue(persona)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        level = endpoint.levels[persona]
        for method, kind, success, data in endpoint.methods:
            if level == NONE:
                expected = 404
            elif level == READ and kind == WRITE:
                expected = 403
            else:
                expected = success
            got = _call(client, method, url, data, api).status_code
            if got != expected:
                failures.append(f"{persona} {method.upper()} {url}: expected {expected}, got {got}")
        if level != NONE:
            got = _call(client, endpoint.wrong_method, url, None, api).status_code
            if got != 405:
                failures.append(f"{persona} {endpoint.wrong_method.upper()} {url}: expected 405, got {got}")
        client.logout()
    assert not failures, "\n".join(failures)


LISTS = [
    ("routing:queue", {"mediator", "other_mediator"}),
    ("routing:liaison_queue", {"liaison", "other_liaison"}),
    ("routing:overdue_summonses", {"supervisor", "foreign_supervisor"}),
    ("routing:assign_queue", {"supervisor", "foreign_supervisor"}),
    ("api-routing-queue", {"mediator", "other_mediator"}),
    ("api-summons-list", {"liaison", "other_liaison"}),
]


@pytest.mark.parametrize(("url_name", "allowed"), LISTS, ids=[row[0] for row in LISTS])
def test_role_lists(request, client, url_name, allowed, world):
    url = reverse(url_name)
    for persona in PERSONAS:
        client.force_login(
            request.getfixturevalue(persona), backend="django.contrib.auth.backends.ModelBackend"
        )
        assert client.get(url).status_code == (200 if persona in allowed else 403), persona
        assert client.post(url).status_code == 405, persona
        client.logout()


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.target != "queued"], ids=lambda e: e.url_name)
def test_a_mediator_of_the_same_channel_sees_nothing_of_a_case_someone_else_holds(
    client, endpoint, targets, mediator2
):
    """A claimed case leaves the channel queue: to the channel's other mediators it does not exist, on
    any page or method (the claim endpoints included, see test_claim_access)."""
    url = reverse(endpoint.url_name, args=[targets[endpoint.target]])
    client.force_login(mediator2, backend="django.contrib.auth.backends.ModelBackend")
    got = {
        method: _call(client, method, url, data, endpoint.url_name.startswith("api-")).status_code
        for method, _kind, _success, data in endpoint.methods
    }
    assert set(got.values()) == {404}, got
