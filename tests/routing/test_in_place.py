"""Routing's actions in place (issue 15): from the case page each action's form opens inside the routing
section (htmx) and a saved one brings the case page back with its flash message; an error comes back inside
the form; 认领 and 报到 answer from a list's row. Without htmx the same URLs are the plain pages they were.
Access is the same as for the plain pages: read-only 403, outsider 404."""

import pytest
from django.urls import reverse

from cases.core.states import Status
from routing.models import CaseAssignment, Summons

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_case_page_opens_routing_actions_in_place(login, make_case, clerk):
    case = make_case()
    html = login(clerk).get(reverse("cases:detail", args=[case.pk])).content.decode()
    url = reverse("routing:route_case", args=[case.pk])
    assert f'href="{url}" hx-get="{url}" hx-target="#form-routing" data-case-tab="overview"' in html
    assert 'id="form-routing"' in html and "data-form-slot" in html


def test_route_accepted_in_place_brings_the_case_page_back(login, make_case, clerk):
    case = make_case()
    client = login(clerk)
    url = reverse("routing:route_case", args=[case.pk])
    fragment = client.get(url, **HTMX).content.decode()
    assert "<html" not in fragment and 'data-testid="route-form"' in fragment
    assert f'hx-post="{url}"' in fragment and 'hx-target="closest [data-action-form]"' in fragment
    assert 'data-testid="suggested-channel">专调<' in fragment

    response = client.post(url, {"action": "accept"}, follow=True, **HTMX)
    html = response.content.decode()
    assert response["HX-Retarget"] == "#case-page" and "<html" not in html
    assert "已按建议分流。" in html and 'data-testid="in-place-messages"' in html
    case.refresh_from_db()
    assert case.status != Status.REGISTERED and case.channel.code == "specialist"


def test_without_htmx_route_is_a_page_of_its_own(login, make_case, clerk):
    case = make_case()
    client = login(clerk)
    html = client.get(reverse("routing:route_case", args=[case.pk])).content.decode()
    assert "<html" in html and 'data-testid="route-form"' in html
    response = client.post(reverse("routing:route_case", args=[case.pk]), {"action": "accept"})
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])


def test_a_refused_override_comes_back_inside_the_form(login, make_case, clerk):
    case = make_case()
    response = login(clerk).post(
        reverse("routing:route_case", args=[case.pk]),
        {"action": "override", "override_reason": "", "priority": "99999999999999999999"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'data-testid="route-form"' in html and "<details" in html and " open>" in html
    assert 'class="invalid-feedback d-block"' in html and 'aria-invalid="true"' in html
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_transfer_in_place_error_then_away(login, assigned_case, mediator, world):
    client = login(mediator)
    url = reverse("routing:transfer", args=[assigned_case.pk])
    fragment = client.get(url, **HTMX).content.decode()
    assert "<html" not in fragment and 'data-testid="routing-form"' in fragment and "层级移交" in fragment
    bad = client.post(url, {"to_center": str(world.town.pk), "reason": ""}, **HTMX)
    assert bad.status_code == 200 and "<html" not in bad.content.decode()
    assert 'id="id_reason_error"' in bad.content.decode()
    done = client.post(url, {"to_center": str(world.town.pk), "reason": "属地化解"}, **HTMX)
    # The county's mediator no longer sees the town's case: a full navigation home, the message kept.
    assert done.status_code == 204 and done["HX-Redirect"] == reverse("accounts:home")
    assigned_case.refresh_from_db()
    assert assigned_case.center == world.town


@pytest.mark.parametrize(
    ("persona", "status"), [("supervisor", 200), ("clerk", 403), ("outsider", 404), ("other_mediator", 404)]
)
def test_in_place_forms_keep_the_access_rules(request, login, assigned_case, persona, status):
    client = login(request.getfixturevalue(persona))
    for name in ("routing:transfer", "routing:summon", "routing:assign"):
        assert client.get(reverse(name, args=[assigned_case.pk]), **HTMX).status_code == status, name


def test_claim_from_the_channel_queue_answers_in_its_row(login, case_in_queue, mediator, mediator2):
    client = login(mediator)
    queue = client.get(reverse("routing:queue"), {"tab": "channel"}).content.decode()
    claim = reverse("routing:claim", args=[case_in_queue.pk])
    assert f'hx-post="{claim}" hx-target="closest tr"' in queue and 'name="from" value="list"' in queue
    response = client.post(claim, {"from": "list"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith("<tr")
    assert "认领成功。" in html and f'data-testid="claimed-{case_in_queue.pk}"' in html
    assert CaseAssignment.objects.get(case=case_in_queue, ended_at__isnull=True).mediator == mediator
    # The next mediator of the channel, a step behind: the case has left the queue, 404 as for anyone.
    assert login(mediator2).post(claim, {"from": "list"}, **HTMX).status_code == 404


def test_claim_from_the_case_page_comes_back_in_place(login, case_in_queue, mediator):
    response = login(mediator).post(reverse("routing:claim", args=[case_in_queue.pk]), follow=True, **HTMX)
    assert response["HX-Retarget"] == "#case-page" and "认领成功。" in response.content.decode()


def _summons(case) -> Summons:
    return Summons.objects.get(case=case)


def test_summons_answered_in_place_on_its_page(login, assigned_case, liaison):
    summons = _summons(assigned_case)
    client = login(liaison)
    page = client.get(reverse("routing:summons_detail", args=[summons.pk])).content.decode()
    accept = reverse("routing:summons_accept", args=[summons.pk])
    assert f'hx-post="{accept}" hx-target="#summons-page"' in page
    refused = client.post(
        reverse("routing:summons_decline", args=[summons.pk]), {"reason": ""}, follow=True, **HTMX
    )
    html = refused.content.decode()
    assert "<html" not in html and 'id="summons-page"' in html and 'data-testid="in-place-messages"' in html
    response = client.post(accept, follow=True, **HTMX)
    html = response.content.decode()
    assert "<html" not in html and "已报到。" in html and 'data-testid="record-action"' in html
    summons.refresh_from_db()
    assert summons.state == Summons.State.ACCEPTED


def test_summons_accepted_from_the_liaison_queue_row(login, assigned_case, liaison, mediator, outsider):
    summons = _summons(assigned_case)
    client = login(liaison)
    queue = client.get(reverse("routing:liaison_queue")).content.decode()
    assert f'data-testid="accept-{summons.pk}"' in queue
    accept = reverse("routing:summons_accept", args=[summons.pk])
    # Others: the mediator sees the summons but does not answer for the department; an outsider sees nothing.
    assert login(mediator).post(accept, {"from": "list"}, **HTMX).status_code == 403
    assert login(outsider).post(accept, {"from": "list"}, **HTMX).status_code == 404
    response = login(liaison).post(accept, {"from": "list"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith("<tr") and "已报到。" in html
    assert f'data-testid="accept-{summons.pk}"' not in html
    summons.refresh_from_db()
    assert summons.state == Summons.State.ACCEPTED


def test_the_field_partial_uses_the_kit(login, assigned_case, supervisor):
    html = (
        login(supervisor)
        .post(reverse("routing:summon", args=[assigned_case.pk]), {"departments": [], "note": ""}, **HTMX)
        .content.decode()
    )
    assert 'class="form-label fw-semibold mb-1"' in html
    assert 'class="form-control' in html and ("form-check-input" in html or "form-select" in html)
    assert "is-invalid" in html and 'role="alert"' in html
    assert 'class="field' not in html and '<span class="req">' not in html
