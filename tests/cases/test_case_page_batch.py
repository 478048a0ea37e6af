"""The case page reads its sections' rows in one statement (cases/core/batch.py): the rows, their related rows
and the page built from them are the same as the ORM's own reads (issue 17 item 3: results identical)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

import cases.page
from cases.core.batch import load_together
from cases.core.models import Case
from cases.intake.selectors import intake_section
from cases.intake.services import mark_repeat
from cases.lifecycle.selectors import lifecycle_from, lifecycle_of, lifecycle_querysets
from cases.page import _page_rows, case_page_queryset
from routing.selectors import routing_querysets, routing_section
from tests.cases.lifecycle_helpers import *  # noqa: F403


def _row(obj) -> list:
    return [(f.attname, getattr(obj, f.attname)) for f in obj._meta.concrete_fields]


def _rows(objects) -> list:
    return [_row(obj) for obj in objects]


def _page_case(case) -> Case:
    return case_page_queryset().get(pk=case.pk)


@pytest.fixture
def full_case(closed_case, make_case, clerk):
    """A closed case with sessions, an effective agreement, an evaluation, a pending visit, a repeat visit of
    it and an amount (a decimal), so every kind of column the page reads is there."""
    Case.objects.filter(pk=closed_case.pk).update(amount=Decimal("30000.50"))
    mark_repeat(make_case(), actor=clerk, original=closed_case)
    return Case.objects.get(pk=closed_case.pk)


@pytest.mark.parametrize("fixture", ["full_case", "failed_case"])
def test_batch_rows_equal_the_orm_rows(request, fixture, supervisor):
    case = _page_case(request.getfixturevalue(fixture))
    querysets = {
        "parties": case.parties.all(),
        "attachments": case.attachments.all(),
        "timeline": case.events.all()[:51],
        "ties": Case.objects.filter(repeat_of=case),
        "self": Case.objects.filter(pk=case.pk),  # every type of column of the widest table
        **lifecycle_querysets(case),
        **routing_querysets(case),
    }
    loaded = load_together(querysets)
    for name, queryset in querysets.items():
        assert _rows(loaded[name]) == _rows(queryset), name
    assert loaded["timeline"] and loaded["sessions"] and loaded["parties"]
    assert loaded["self"][0].amount == Decimal("30000.50") or fixture == "failed_case"
    # JSON columns come back as the ORM decodes them, not as text
    assert any(isinstance(e.data, dict) and e.data for e in loaded["timeline"])


@pytest.mark.parametrize("fixture", ["full_case", "failed_case"])
def test_sections_from_the_batch_equal_the_selectors(request, fixture, supervisor, mediator):
    case = request.getfixturevalue(fixture)
    expected = lifecycle_of(_page_case(case))
    page_case = _page_case(case)
    rows = _page_rows(page_case, supervisor, full_timeline=False)
    got = lifecycle_from(page_case, rows, users=rows["users"], parties=rows["parties"])
    assert [_row(s) for s in got.sessions] == [_row(s) for s in expected.sessions]
    for mine, theirs in zip(got.sessions, expected.sessions, strict=True):
        assert _rows(mine.parties.all()) == _rows(theirs.parties.all())
        assert sorted(u.pk for u in mine.mediators.all()) == sorted(u.pk for u in theirs.mediators.all())
        assert _row(mine.recorded_by) == _row(theirs.recorded_by)
    if expected.agreement is None:
        assert got.agreement is None
    else:
        assert _row(got.agreement) == _row(expected.agreement)
        assert _rows(got.agreement.terms.all()) == _rows(expected.agreement.terms.all())
        assert sorted(_rows(got.agreement.signatures.all())) == sorted(
            _rows(expected.agreement.signatures.all())
        )
        assert got.agreement.is_effective == expected.agreement.is_effective
        assert got.confirmation_deadline == expected.confirmation_deadline
    for name in ("oral_agreement", "notice", "evaluation"):
        mine, theirs = getattr(got, name), getattr(expected, name)
        assert (mine and _row(mine)) == (theirs and _row(theirs)), name
    assert _rows(got.follow_ups) == _rows(expected.follow_ups)
    for mine, theirs in zip(got.follow_ups, expected.follow_ups, strict=True):
        assert (mine.party and _row(mine.party)) == (theirs.party and _row(theirs.party))
        assert (mine.term and _row(mine.term)) == (theirs.term and _row(theirs.term))
    assert [u.pk for u in got.mediators] == [u.pk for u in expected.mediators]
    assert [u.pk for u in got.reviewers] == [u.pk for u in expected.reviewers]
    # the routing and intake sections, from the loaded rows and from their own reads
    loaded = routing_section(
        page_case,
        supervisor,
        writable=True,
        loaded={"route": rows["route"][0] if rows["route"] else None, "summonses": rows["summonses"]},
    )
    own = routing_section(_page_case(case), supervisor, writable=True)
    assert (loaded.route and _row(loaded.route)) == (own.route and _row(own.route))
    assert _rows(loaded.summonses) == _rows(own.summonses)
    assert [_row(a) for a in loaded.active] == [_row(a) for a in own.active]
    assert [_row(a.mediator) for a in loaded.active] == [_row(a.mediator) for a in own.active]
    with_rows = intake_section(page_case, attachments=[], can_upload=False, related=rows["ties"])
    without = intake_section(_page_case(case), attachments=[], can_upload=False)
    assert [c.pk for c in with_rows.repeats] == [c.pk for c in without.repeats]


def _without_tokens(html: str) -> str:
    """Without what differs between two requests anyway: CSRF tokens, the seconds left of the idle session."""
    html = re.sub(r'data-idle-left="\d+"', "", html)
    return re.sub(r'(name="csrfmiddlewaretoken" value=|csrf-token" content=|X-CSRFToken": )"[^"]+"', "", html)


@pytest.mark.parametrize("persona", ["supervisor", "mediator"])
def test_the_page_is_the_same_whether_read_in_one_statement_or_one_by_one(
    request, full_case, login, monkeypatch, persona
):
    """The whole rendered page with the batch, and with each of its querysets iterated by the ORM."""
    client = login(request.getfixturevalue(persona))
    url = reverse("cases:detail", args=[full_case.pk])
    batched = client.get(url)

    def one_by_one(querysets):
        return {name: list(queryset) for name, queryset in querysets.items()}

    def own_rows(case, user, *, full_timeline):
        return one_by_one(cases.page._page_querysets(case, user, full_timeline=full_timeline))

    monkeypatch.setattr(cases.page, "load_together", one_by_one)
    monkeypatch.setattr(cases.page, "_own_rows", own_rows)
    separately = client.get(url)
    assert batched.status_code == separately.status_code == 200
    assert _without_tokens(batched.content.decode()) == _without_tokens(separately.content.decode())


def test_the_compiled_statement_reads_each_case_its_own_rows(full_case, make_case, supervisor):
    """The page's statement is compiled once with stand-in ids and run with each case's and viewer's."""
    for case in (full_case, make_case(), make_case()):
        page_case = _page_case(case)
        mine = cases.page._own_rows(page_case, supervisor, full_timeline=False)
        querysets = cases.page._page_querysets(page_case, supervisor, full_timeline=False)
        assert {name: _rows(rows) for name, rows in mine.items()} == {
            name: _rows(queryset) for name, queryset in querysets.items()
        }
    assert cases.page._STATEMENTS  # the compiled statement was kept


def test_warning_card_and_conversation_from_the_batch_equal_their_own_reads(
    mediating_case, mediator, supervisor
):
    """The clocks, the open supervision orders and the messages (with their author and attachment) the page
    now reads in its one statement are those ``case_warning_summary`` and ``conversation_section`` read."""
    import datetime as dt

    from django.utils import timezone

    from cases.portal.models import CaseMessage
    from cases.portal.selectors import conversation_section
    from cases.warnings.selectors import case_warning_summary
    from cases.warnings.services import issue_supervision_order

    issue_supervision_order(
        mediating_case,
        actor=supervisor,
        instructions="三日内回复",
        deadline=timezone.now() + dt.timedelta(days=3),
        recipient=mediator,
    )
    CaseMessage.objects.create(case=mediating_case, from_staff=True, author=mediator, body="已联系双方")
    CaseMessage.objects.create(case=mediating_case, from_staff=False, body="请问何时调解？")
    case = _page_case(mediating_case)
    page = cases.page.case_page(case, supervisor)
    own = case_warning_summary(_page_case(mediating_case), supervisor)
    assert own.open_orders and own.clocks  # there is something to compare
    assert _rows(page["warning_summary"].open_orders) == _rows(own.open_orders)
    assert _rows(page["warning_summary"].clocks) == _rows(own.clocks)
    assert page["warning_summary"].countdown == own.countdown
    assert page["warning_summary"].is_supervisor == own.is_supervisor
    messages = conversation_section(_page_case(mediating_case), can_post=True).messages
    assert len(messages) == 2
    assert _rows(page["conversation"].messages) == _rows(messages)
    assert [(m.author and m.author.pk, m.attachment) for m in page["conversation"].messages] == [
        (m.author and m.author.pk, m.attachment) for m in messages
    ]
