"""Issue 15: assigning a case in place (htmx) — 单独指派 in a row of the supervisor's queue, 批量指派 answered
above the list with each row's outcome, 指派/改派 on the case page — with its refusals in place in Chinese
(mediator not eligible, case claimed meanwhile, a stale form); 授予个案权限 inline on the case page; and the
navigation's badges fetched afresh after an action. Without htmx the same URLs stay plain pages that
redirect. Access as everywhere: a user who may not assign 403, an outsider 404."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from cases.core.access import can_change, can_see
from routing import services
from routing.models import CaseAssignment

HTMX = {"HTTP_HX_REQUEST": "true"}


def _lead(case):
    return CaseAssignment.objects.filter(case=case, is_lead=True, ended_at__isnull=True).first()


# --- 单独指派 from the queue's row -----------------------------------------------------------


def test_single_assign_opens_under_its_row_and_answers_there(login, supervisor, mediator, case_in_queue):
    client = login(supervisor)
    url = reverse("routing:assign", args=[case_in_queue.pk])
    queue = client.get(reverse("routing:assign_queue")).content.decode()
    assert f'id="queue-row-{case_in_queue.pk}"' in queue
    assert f'href="{url}" hx-get="{url}?from=list" hx-target="closest tr" hx-swap="afterend"' in queue

    row = client.get(url, {"from": "list"}, **HTMX).content.decode()
    assert row.lstrip().startswith("<tr") and "<html" not in row
    assert f'id="assign-row-{case_in_queue.pk}"' in row and 'name="from" value="list"' in row
    # its own ids (the bulk form above the list has id_mediator) and the lead it was shown with: none
    assert f'id="assign-{case_in_queue.pk}-mediator"' in row and 'id="id_mediator"' not in row
    assert 'name="seen_lead" value="none"' in row

    response = client.post(
        url,
        {"from": "list", "mediator": mediator.pk, "lead": "1", "reason": "熟悉劳动争议", "seen_lead": "none"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'data-testid="assigned-{case_in_queue.pk}"' in html
    assert f"{case_in_queue.number}：已指派给{mediator}。" in html
    # the case's own row leaves the list with it
    assert f'hx-swap-oob="delete:#queue-row-{case_in_queue.pk}"' in html
    assert _lead(case_in_queue).mediator == mediator
    event = case_in_queue.events.get(type="assigned")
    assert event.actor == supervisor and event.data["reason"] == "熟悉劳动争议"
    # the message was shown in the row: not again on the next page
    assert "已指派给" not in client.get(reverse("routing:assign_queue")).content.decode()


def test_single_assign_errors_come_back_in_the_row(login, supervisor, mediator, case_in_queue):
    client = login(supervisor)
    url = reverse("routing:assign", args=[case_in_queue.pk])
    blank = client.post(url, {"from": "list", "mediator": mediator.pk, "lead": "1", "reason": ""}, **HTMX)
    html = blank.content.decode()
    assert blank.status_code == 200 and html.lstrip().startswith("<tr") and "<html" not in html
    assert f'id="assign-{case_in_queue.pk}-reason_error"' in html and 'aria-invalid="true"' in html

    # not eligible: the mediator is the applicant (回避), said in the row, in Chinese
    mediator.id_number = "11010519491231002X"  # the applicant's ID in make_case
    mediator.save()
    refused = client.post(
        url,
        {"from": "list", "mediator": mediator.pk, "lead": "1", "reason": "指派", "seen_lead": "none"},
        **HTMX,
    )
    html = refused.content.decode()
    assert refused.status_code == 200 and f'data-testid="assign-error-{case_in_queue.pk}"' in html
    assert "本人是本案当事人" in html and "指派</textarea>" in html  # what was typed stays
    assert _lead(case_in_queue) is None and not case_in_queue.events.filter(type="assigned").exists()


def test_a_case_claimed_meanwhile_is_not_taken_from_its_mediator(
    login, supervisor, mediator, mediator2, case_in_queue
):
    client = login(supervisor)
    url = reverse("routing:assign", args=[case_in_queue.pk])
    assert 'name="seen_lead" value="none"' in client.get(url, {"from": "list"}, **HTMX).content.decode()
    services.claim_case(case_in_queue, actor=mediator2)  # while the form is open

    response = client.post(
        url,
        {"from": "list", "mediator": mediator.pk, "lead": "1", "reason": "指派", "seen_lead": "none"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and f'data-testid="assign-error-{case_in_queue.pk}"' in html
    assert "本案已由mediator2主办，您看到的页面已过时" in html
    assert _lead(case_in_queue).mediator == mediator2
    assert not case_in_queue.events.filter(type="assigned").exists()


def test_reassigning_on_the_case_page_checks_the_lead_it_was_shown(
    login, supervisor, mediator, mediator2, assigned_case
):
    client = login(supervisor)
    url = reverse("routing:assign", args=[assigned_case.pk])
    form = client.get(url, **HTMX).content.decode()
    assert "<html" not in form and f'name="seen_lead" value="{mediator.pk}"' in form
    data = {"mediator": mediator2.pk, "lead": "1", "reason": "改派", "seen_lead": str(mediator.pk)}

    # someone else reassigned it meanwhile: refused inside the form, in place
    services.assign_mediator(assigned_case, actor=supervisor, mediator=mediator2, reason="先改派")
    stale = client.post(url, {**data, "mediator": mediator.pk}, **HTMX)
    html = stale.content.decode()
    assert stale.status_code == 200 and "<html" not in html and 'data-testid="routing-form"' in html
    assert "本案已由mediator2主办" in html
    assert _lead(assigned_case).mediator == mediator2

    # with the form as it is now, done: the case page comes back in place with its message
    done = client.post(
        url, {**data, "mediator": mediator.pk, "seen_lead": str(mediator2.pk)}, follow=True, **HTMX
    )
    assert done["HX-Retarget"] == "#case-page" and f"已指派给{mediator}。" in done.content.decode()
    assert _lead(assigned_case).mediator == mediator


def test_a_forged_seen_lead_is_a_message_not_a_500(login, supervisor, mediator, case_in_queue):
    response = login(supervisor).post(
        reverse("routing:assign", args=[case_in_queue.pk]),
        {"mediator": mediator.pk, "lead": "1", "reason": "x", "seen_lead": "1; drop"},
    )
    assert response.status_code == 200 and "页面已过时，请刷新后重新指派。" in response.content.decode()
    assert _lead(case_in_queue) is None


def test_without_htmx_assign_is_its_own_page_and_redirects(login, supervisor, mediator, case_in_queue):
    client = login(supervisor)
    url = reverse("routing:assign", args=[case_in_queue.pk])
    page = client.get(url, {"from": "list"}).content.decode()  # "from" means nothing without htmx
    assert "<html" in page and 'id="id_mediator"' in page
    response = client.post(url, {"mediator": mediator.pk, "lead": "1", "reason": "指派", "seen_lead": "none"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:detail", args=[case_in_queue.pk]
    )
    assert _lead(case_in_queue).mediator == mediator


@pytest.mark.parametrize(("persona", "status"), [("clerk", 403), ("mediator", 403), ("outsider", 404)])
def test_in_place_assignment_keeps_the_access_rules(request, login, case_in_queue, mediator, persona, status):
    client = login(request.getfixturevalue(persona))
    url = reverse("routing:assign", args=[case_in_queue.pk])
    assert client.get(url, {"from": "list"}, **HTMX).status_code == status
    data = {"from": "list", "mediator": mediator.pk, "lead": "1", "reason": "x", "seen_lead": "none"}
    assert client.post(url, data, **HTMX).status_code == status
    bulk = {"cases": [case_in_queue.pk], "mediator": mediator.pk, "reason": "x"}
    assert client.post(reverse("routing:bulk_assign"), bulk, **HTMX).status_code == 403
    assert _lead(case_in_queue) is None and not case_in_queue.events.filter(type="assigned").exists()


# --- 批量指派 -------------------------------------------------------------------------------


def test_bulk_assign_in_place_reports_above_the_list_and_in_each_row(
    login, supervisor, mediator, mediator2, routed_case
):
    a, b, held = routed_case(), routed_case(), routed_case()
    client = login(supervisor)
    queue = client.get(reverse("routing:assign_queue")).content.decode()
    assert f'hx-post="{reverse("routing:bulk_assign")}" hx-target="#bulk-result"' in queue
    services.claim_case(held, actor=mediator2)  # after the supervisor's list was shown
    response = client.post(
        reverse("routing:bulk_assign"),
        {"cases": [a.pk, b.pk, held.pk], "mediator": mediator.pk, "reason": "均衡工作量"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'data-testid="bulk-summary"' in html and "已指派 2 件，1 件未指派。" in html
    for case in (a, b):
        assert f'<template><tr hx-swap-oob="outerHTML:#queue-row-{case.pk}"' in html
        assert f"{case.number}：已指派给{mediator}。" in html
        assert _lead(case).mediator == mediator and case.events.filter(type="assigned").count() == 1
    # the case claimed meanwhile stays with its mediator, and its row says why
    assert f"{held.number}：未指派，本案已由mediator2主办" in html
    assert f'hx-swap-oob="outerHTML:#queue-row-{held.pk}"' in html
    assert _lead(held).mediator == mediator2 and not held.events.filter(type="assigned").exists()
    # shown in place: the messages are not shown again on the next page
    assert "已指派给" not in client.get(reverse("routing:assign_queue")).content.decode()


def test_bulk_assign_in_place_with_nothing_ticked(login, supervisor, mediator, case_in_queue):
    response = login(supervisor).post(
        reverse("routing:bulk_assign"), {"mediator": mediator.pk, "reason": "x"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "请至少勾选一件案件。" in html
    assert "hx-swap-oob" not in html and 'data-testid="bulk-summary"' not in html
    assert _lead(case_in_queue) is None


def test_bulk_assign_without_htmx_still_redirects_with_messages(login, supervisor, mediator, case_in_queue):
    response = login(supervisor).post(
        reverse("routing:bulk_assign"), {"cases": [case_in_queue.pk], "mediator": mediator.pk, "reason": "x"}
    )
    assert response.status_code == 302 and response.url == reverse("routing:assign_queue")
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == [f"{case_in_queue.number}：已指派给{mediator}。"]


# --- 授予个案权限 inline on the case page ----------------------------------------------------


def test_the_case_page_offers_the_grant_form_to_its_supervisor_only(
    login, supervisor, mediator, assigned_case
):
    detail = reverse("cases:detail", args=[assigned_case.pk])
    grant = reverse("routing:grant", args=[assigned_case.pk])
    html = login(supervisor).get(detail).content.decode()
    assert 'data-testid="grant-inline"' in html and f'hx-post="{grant}"' in html
    assert 'id="grant-username"' in html and 'for="grant-reason"' in html
    assert f'href="{grant}"' in html  # the grants page (list, revoke) stays
    assert 'data-testid="grant-inline"' not in login(mediator).get(detail).content.decode()


def test_grant_inline_refusal_in_place_then_done(login, supervisor, outsider, assigned_case):
    client = login(supervisor)
    url = reverse("routing:grant", args=[assigned_case.pk])
    unknown = client.post(url, {"username": "nobody", "reason": "外聘专家"}, **HTMX)
    html = unknown.content.decode()
    assert unknown.status_code == 200 and "<html" not in html and 'data-testid="grant-inline"' in html
    assert "找不到该工作人员。" in html and 'value="nobody"' in html and 'id="grant-username"' in html
    assert not assigned_case.events.filter(type="access_granted").exists()

    done = client.post(url, {"username": "outsider", "reason": "外聘专家"}, follow=True, **HTMX)
    html = done.content.decode()
    assert done["HX-Retarget"] == "#case-page" and "<html" not in html
    assert f"已授予{outsider}个案权限。" in html and 'data-testid="in-place-messages"' in html
    event = assigned_case.events.get(type="access_granted")
    assert event.actor == supervisor and event.data["reason"] == "外聘专家"
    assert can_see(outsider, assigned_case) and not can_change(outsider, assigned_case)


def test_grant_without_htmx_is_its_own_page(login, supervisor, outsider, assigned_case):
    client = login(supervisor)
    url = reverse("routing:grant", args=[assigned_case.pk])
    assert "<html" in client.get(url).content.decode()
    response = client.post(url, {"username": "outsider", "reason": "外聘专家"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:detail", args=[assigned_case.pk]
    )


def test_grant_in_place_keeps_the_access_rules(login, supervisor, mediator, outsider, clerk, assigned_case):
    url = reverse("routing:grant", args=[assigned_case.pk])
    data = {"username": "clerk", "write": "on", "reason": "协办"}
    assert login(mediator).post(url, data, **HTMX).status_code == 403  # works the case, not its supervisor
    assert login(outsider).post(url, data, **HTMX).status_code == 404
    services.grant_case_access(assigned_case, actor=supervisor, user=outsider, write=False, reason="旁听")
    assert login(outsider).post(url, data, **HTMX).status_code == 403  # may read it, not change it
    assert not can_change(clerk, assigned_case)


# --- the badges after an action ----------------------------------------------------------


def test_every_staff_page_listens_for_changed_counts(login, supervisor):
    html = login(supervisor).get(reverse("accounts:home")).content.decode()
    badges = reverse("cases:work_badges")
    assert f'hx-get="{badges}" hx-trigger="counts-changed from:body" hx-swap="none"' in html
    assert "js/counts.js" in html and 'data-badge="unassigned"' in html


def _badge(html: str, key: str) -> str:
    marker = f"hx-swap-oob=\"outerHTML:[data-badge='{key}']\">"
    assert marker in html, html
    return html.split(marker, 1)[1].split("<", 1)[0]


def test_badges_come_back_fresh_after_an_assignment(login, supervisor, mediator, routed_case):
    a, b = routed_case(), routed_case()
    client = login(supervisor)
    page = client.get(reverse("routing:assign_queue")).content.decode()  # fills the counts' cache
    assert 'data-badge="unassigned">2<' in page
    client.post(
        reverse("routing:bulk_assign"), {"cases": [a.pk], "mediator": mediator.pk, "reason": "x"}, **HTMX
    )
    response = client.get(reverse("cases:work_badges"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert _badge(html, "unassigned") == "1"
    assert 'hx-swap-oob="outerHTML:[data-bell]"' in html
    services.assign_mediator(b, actor=supervisor, mediator=mediator, reason="x")
    assert _badge(client.get(reverse("cases:work_badges"), **HTMX).content.decode(), "unassigned") == "0"


def test_a_mediator_badge_after_a_claim(login, mediator, case_in_queue):
    client = login(mediator)
    assert _badge(client.get(reverse("cases:work_badges")).content.decode(), "my_cases") == "0"
    client.post(reverse("routing:claim", args=[case_in_queue.pk]), {"from": "list"}, **HTMX)
    assert _badge(client.get(reverse("cases:work_badges")).content.decode(), "my_cases") == "1"


def test_badges_cost_a_fixed_number_of_queries(
    login, supervisor, mediator, routed_case, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    routed_case()
    client = login(supervisor)
    client.get(reverse("cases:work_badges"))  # per-process caches (content types) filled once
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:work_badges"))
    for _ in range(4):
        services.claim_case(routed_case(), actor=mediator)
        routed_case()
    with django_assert_max_num_queries(len(few)):
        html = client.get(reverse("cases:work_badges")).content.decode()
    assert _badge(html, "unassigned") == "5"


def test_badges_are_for_staff_only(client, login, citizen):
    url = reverse("cases:work_badges")
    assert client.get(url).status_code == 302  # signed out: to the login page
    assert login(citizen).get(url).status_code == 404
