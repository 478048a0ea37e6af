"""The queue's and the case list's rows, written by tags (``routing.templatetags.routing.queue_rows``,
``cases.templatetags.case_rows``) from narrow rows (the queue's: ``QueueRow`` values, its parties and
mediators read with each row; the list's: ``only()``), are the same bytes as the templates they replaced
(kept in tests/reference_templates/) rendered from the full rows the pages read before: on a few hand-made
cases with every kind of cell, and on generated data for every mediator, supervisor and clerk, with the
queue's tabs, filters and a later page."""

import re
from pathlib import Path

import pytest
import time_machine
from django.core.paginator import Paginator
from django.middleware.csrf import get_token
from django.template import engines
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import Membership, User
from cases.core.access import is_staff_user, visible_parts
from cases.core.keyset import Scope, keyset_page
from cases.core.models import Case, Party
from cases.core.selectors import case_list_filters, case_list_for, case_list_page
from cases.intake.services import PartyData
from routing import selectors, services
from routing.selectors import QueueFilters

REFERENCE = Path(__file__).resolve().parent.parent / "reference_templates"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _reference(name: str):
    return engines["django"].from_string((REFERENCE / name).read_text())


def _request(user: User):
    request = RequestFactory().get("/")
    request.user, request.session = user, {}
    get_token(request)
    return request


def _same(old: str, new: str) -> None:
    # The masked CSRF token differs at every rendering; everything else must not.
    assert CSRF.sub("csrf", new) == CSRF.sub("csrf", old)


def _old_queue_page(user: User, filters: QueueFilters, number=1, per_page=25):
    """A page of the queue as read before: every row and relation in full (``mediator_queue``)."""
    return Paginator(selectors.mediator_queue(user, filters), per_page).get_page(number)


def _old_list_page(user: User, params):
    """The case list's first page as read before: ``case_list_for``'s full rows through the keyset."""
    filters = case_list_filters(params)
    parts = visible_parts(user) if is_staff_user(user) else None
    scope = None
    if parts is not None:
        centers, rest = parts
        scope = Scope(centers, Case.objects.filter(filters.q), [Case.objects.filter(rest).filter(filters.q)])
    return keyset_page(case_list_for(user, parts).filter(filters.q), scope=scope)


def _same_page(old_page, new_page) -> None:
    assert [row.pk for row in new_page] == [case.pk for case in old_page]
    assert (new_page.number, new_page.paginator.count, new_page.paginator.num_pages) == (
        old_page.number,
        old_page.paginator.count,
        old_page.paginator.num_pages,
    )


def compare_queue(user: User, tab: str, number=1, per_page=25, **filters) -> int:
    request = _request(user)
    old_page = _old_queue_page(user, QueueFilters(tab=tab, **filters), number, per_page)
    new_page = selectors.mediator_queue_page(
        user, QueueFilters(tab=tab, **filters), number, per_page=per_page
    )
    _same_page(old_page, new_page)
    old = _reference("_queue_results.html").render({"page": old_page, "tab": tab}, request)
    new = get_template("routing/_queue_results.html").render({"page": new_page, "tab": tab}, request)
    _same(old, new)
    return len(new_page.object_list)


def compare_assign_queue(user: User, number=1, per_page=25, **filters) -> int:
    request = _request(user)
    old_page = Paginator(selectors.unassigned_queue(user, QueueFilters(tab="channel", **filters)), per_page)
    old_page = old_page.get_page(number)
    new_page = selectors.unassigned_queue_page(
        user, QueueFilters(tab="channel", **filters), number, per_page=per_page
    )
    _same_page(old_page, new_page)
    old = _reference("_queue_results.html").render({"page": old_page, "tab": "assign"}, request)
    new = get_template("routing/_queue_results.html").render({"page": new_page, "tab": "assign"}, request)
    _same(old, new)
    return len(new_page.object_list)


def compare_list(user: User, params=None) -> int:
    request = _request(user)
    old_page = _old_list_page(user, params or {})
    new_page, _filters = case_list_page(user, params or {})
    assert [c.pk for c in new_page] == [c.pk for c in old_page]
    old = _reference("case_table.html").render({"cases": old_page}, request)
    new = get_template("cases/core/case_table.html").render({"cases": new_page}, request)
    _same(old, new)
    return len(new_page)


@time_machine.travel("2026-06-01 09:00 +0800", tick=False)
def test_rows_match_the_templates_they_replace(
    world, make_case, routed_case, mediator, mediator2, supervisor, clerk
):
    parties = [
        PartyData(role=Party.Role.APPLICANT, name='<b>王&"五"</b>', phone="13800138000"),
        PartyData(role=Party.Role.RESPONDENT, name="赵六", phone="13912345678"),
        PartyData(role=Party.Role.RESPONDENT, name="钱七"),
    ]
    unclaimed, claimed, joint = routed_case(parties=parties), routed_case(), routed_case()
    unclaimed2 = routed_case()
    services.claim_case(claimed, actor=mediator)
    services.claim_case(joint, actor=mediator2)
    services.assign_mediator(joint, actor=supervisor, mediator=mediator, reason="协办", lead=False)
    Case.objects.filter(pk=claimed.pk).update(warning_level=3, due_at=None)
    Case.objects.filter(pk=unclaimed.pk).update(due_at=timezone.now() - timezone.timedelta(hours=5))
    Case.objects.filter(pk=unclaimed2.pk).update(warning_level=2, number='A<&"1>')
    make_case()  # registered: the case list's 分流 button
    User.objects.filter(pk=mediator2.pk).update(display_name="<i>调解员</i>")
    User.objects.filter(pk=mediator.pk).update(display_name="")  # shown by username

    assert compare_queue(mediator, "mine") == 2
    assert compare_queue(mediator, "channel") == 2
    assert compare_queue(mediator2, "mine") == 1
    assert compare_queue(mediator, "mine", warning_level=3) == 1
    assert compare_queue(mediator, "mine", status="in_mediation") == 2
    assert compare_queue(mediator, "channel", overdue=True) == 1
    assert compare_queue(mediator, "channel", dispute_type=unclaimed.dispute_type.code) == 2
    assert compare_queue(mediator, "channel", 2, per_page=1) == 1  # a later page
    assert compare_queue(mediator, "mine", 9, per_page=1) == 1  # past the end: the last page
    assert compare_assign_queue(supervisor) == 2
    assert compare_assign_queue(supervisor, 2, per_page=1, warning_level=2) == 1
    assert compare_assign_queue(supervisor, warning_level=4) == 0
    assert compare_list(supervisor) == 5
    assert compare_list(supervisor, {"status": "registered"}) == 1
    assert compare_list(clerk) >= 1
    assert compare_queue(mediator, "mine", warning_level=4) == 0  # the empty row


@pytest.mark.postgres
@pytest.mark.django_db
def test_rows_match_on_generated_data_for_every_persona():
    from cases.management.commands.generate_data import generate

    generate(400, counties=2, towns=2, villages=3, chunk_size=200, seed=11, log=lambda message: None)
    shown = 0
    with time_machine.travel(timezone.now(), tick=False):
        members = Membership.objects.select_related("user").order_by("pk")
        for m in members.filter(role=Membership.Role.MEDIATOR):
            shown += compare_queue(m.user, "mine") + compare_queue(m.user, "channel")
            shown += compare_queue(m.user, "mine", warning_level=1)
            shown += compare_queue(m.user, "channel", 2, per_page=3) + compare_queue(
                m.user, "mine", 2, per_page=2
            )
            shown += compare_queue(m.user, "mine", status="in_mediation") + compare_queue(
                m.user, "mine", overdue=True
            )
            shown += compare_queue(m.user, "channel", warning_level=2) + compare_queue(
                m.user, "channel", overdue=True
            )
        for m in members.filter(role=Membership.Role.SUPERVISOR):
            shown += (
                compare_assign_queue(m.user)
                + compare_assign_queue(m.user, 2, per_page=5)
                + compare_list(m.user)
            )
            shown += compare_list(m.user, {"status": "in_mediation"}) + compare_list(
                m.user, {"open": "1", "lv": "1"}
            )
        for m in members.filter(role=Membership.Role.CLERK):
            shown += compare_list(m.user)
    assert shown > 200
