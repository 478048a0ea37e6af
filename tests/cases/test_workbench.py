"""The shell's work counts, search, home to-do list, center switch and keep-alive (issue 15)."""

import datetime as dt
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.access import CURRENT_MEMBERSHIP_KEY
from accounts.middleware import SESSION_KEY
from accounts.models import Membership
from cases.core.models import Case
from cases.core.states import Status
from cases.workbench import counts as counts_module
from cases.workbench.counts import compute_work_counts, work_counts
from routing import services as routing
from search.indexer import index_pending
from tests.conftest import _persona
from tests.factories import MembershipFactory


@pytest.fixture
def routed(make_case, clerk):
    def _make(**overrides):
        return routing.route_case(make_case(**overrides), actor=clerk)

    return _make


def _make_urgent(case, *, level=4, overdue=True):
    Case.objects.filter(pk=case.pk).update(
        warning_level=level, due_at=timezone.now() - dt.timedelta(days=1) if overdue else None
    )


# --- counts -----------------------------------------------------------------------------------
def _queries_of_counts(user) -> int:
    fresh = type(user).objects.get(pk=user.pk)  # a new request: the user's roles not yet loaded
    with CaptureQueriesContext(connection) as queries:
        compute_work_counts(fresh)
    return len(queries)


@pytest.mark.parametrize("persona", ["supervisor", "mediator", "clerk", "liaison"])
def test_counts_cost_the_same_few_queries_whatever_the_data(
    request, persona, routed, mediator, django_assert_num_queries
):
    user = request.getfixturevalue(persona)
    routing.claim_case(routed(), actor=mediator)
    _queries_of_counts(user)  # Django's content-type cache, filled once per process
    small = _queries_of_counts(user)
    # the cases' own figures, then one COUNT or two per app's provider (settings.WORK_COUNT_PROVIDERS:
    # mediator requests and credentials, grassroots risks and rounds, risk signals, court windows closing)
    assert small <= 17
    for _ in range(4):
        more = routed()
        routing.claim_case(more, actor=mediator)
        _make_urgent(more)
    fresh = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(small):
        compute_work_counts(fresh)


def test_supervisor_counts_change_when_work_arrives(supervisor, routed):
    assert compute_work_counts(supervisor).red_orange == 0
    case = routed()
    _make_urgent(case)
    counts = compute_work_counts(supervisor)
    assert (counts.red_orange, counts.overdue) == (1, 1)
    assert (
        counts.summonses_pending is None and counts.online_applications is None
    )  # not a supervisor's queues


def test_mediator_counts_only_their_own_cases(mediator, routed):
    waiting = routed()
    _make_urgent(waiting)  # in the channel's queue, not the mediator's
    assert compute_work_counts(mediator).my_cases == 0
    assert compute_work_counts(mediator).red_orange == 0
    routing.claim_case(waiting, actor=mediator)
    assert compute_work_counts(mediator).my_cases == 1
    _make_urgent(waiting)
    counts = compute_work_counts(mediator)
    assert (counts.my_cases, counts.red_orange, counts.overdue) == (1, 1, 1)


def test_liaison_and_clerk_counts(liaison, clerk, routed, make_case):
    assert compute_work_counts(liaison).summonses_pending == 0
    routed()  # a labour case: 人社局 is summoned
    assert compute_work_counts(liaison).summonses_pending == 1
    assert compute_work_counts(clerk).online_applications == 0
    case = make_case()
    Case.objects.filter(pk=case.pk).update(status=Status.SUBMITTED)
    assert compute_work_counts(clerk).online_applications == 1


def test_counts_are_cached_for_a_few_seconds_and_computed_when_the_cache_is_down(
    supervisor, routed, monkeypatch
):
    assert work_counts(supervisor).overdue == 0
    _make_urgent(routed())
    assert work_counts(supervisor).overdue == 0  # cached
    counts_module.cache.clear()
    assert work_counts(supervisor).overdue == 1

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(counts_module.cache, "get", down)
    monkeypatch.setattr(counts_module.cache, "set", down)
    assert work_counts(supervisor).overdue == 1


def test_badges_show_on_every_staff_page_and_change_when_work_arrives(login, supervisor, routed):
    client = login(supervisor)
    html = client.get(reverse("cases:list")).content.decode()
    assert 'data-badge="overdue">0<' in html
    _make_urgent(routed())
    counts_module.cache.clear()
    html = client.get(reverse("routing:overdue_summonses")).content.decode()
    assert 'data-badge="overdue">1<' in html and 'data-badge="red_orange">1<' in html


# --- search -----------------------------------------------------------------------------------
def test_search_finds_by_number_tracking_code_and_party_name(login, supervisor, make_case):
    case = make_case()
    other = make_case(parties=None)
    index_pending()  # names are words: the search index's sweep (within a minute)
    client = login(supervisor)
    for query in (case.number, case.tracking_code, case.tracking_code.lower(), "张三", "张"):
        html = client.get(reverse("cases:search"), {"q": query}).content.decode()
        assert reverse("cases:detail", args=[case.pk]) in html, query
    html = client.get(reverse("cases:search"), {"q": case.number}).content.decode()
    assert reverse("cases:detail", args=[other.pk]) not in html  # the number matches exactly


def test_search_shows_only_cases_the_user_may_see(login, outsider, foreign_clerk, make_case):
    case = make_case()
    index_pending()
    for user in (outsider, foreign_clerk):
        link = reverse("cases:detail", args=[case.pk])
        for query in (case.number, case.tracking_code, "张三"):
            response = login(user).get(reverse("cases:search"), {"q": query})
            assert response.status_code == 200 and link not in response.content.decode()


def test_search_costs_the_same_queries_for_few_and_many_results(
    login, supervisor, make_case, django_assert_num_queries
):
    make_case()
    index_pending()
    client = login(supervisor)
    client.get(reverse("cases:search"), {"q": "张"})  # warm the counts cache and the session
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("cases:search"), {"q": "张"})
    for _ in range(4):
        make_case()
    index_pending()
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("cases:search"), {"q": "张"})
    assert response.content.decode().count('data-label="案号"') == 5


def test_search_with_nothing_typed_or_junk_answers_200(login, clerk):
    client = login(clerk)
    assert client.get(reverse("cases:search")).status_code == 200
    assert client.get(reverse("cases:search"), {"q": "%' OR 1=1 --" * 20}).status_code == 200
    assert client.post(reverse("cases:search")).status_code == 405


# --- home -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "items"),
    [
        ("clerk", ["online_applications", "appointments_today", "registered"]),
        ("mediator", ["my_cases", "orders_unacknowledged", "sessions_today", "follow_ups_due"]),
        ("supervisor", ["red_orange", "overdue", "orders_unacknowledged", "bad_ratings"]),
        ("liaison", ["summonses_pending"]),
    ],
)
def test_home_is_each_roles_to_do_list(request, login, persona, items):
    html = login(request.getfixturevalue(persona)).get(reverse("accounts:home")).content.decode()
    for item in items:
        assert f'data-todo="{item}"' in html
    others = {"online_applications", "my_cases", "red_orange", "summonses_pending"} - set(items)
    for item in others:
        assert f'data-todo="{item}"' not in html


def test_home_lists_the_work_and_links_to_it(login, mediator, liaison, supervisor, routed):
    case = routed()
    _make_urgent(case)
    html = login(supervisor).get(reverse("accounts:home")).content.decode()
    assert reverse("cases:detail", args=[case.pk]) in html and f"{reverse('cases:list')}?level=3" in html
    routing.claim_case(case, actor=mediator)
    html = login(mediator).get(reverse("accounts:home")).content.decode()
    assert 'data-todo-count="my_cases">1<' in html and reverse("cases:detail", args=[case.pk]) in html
    html = login(liaison).get(reverse("accounts:home")).content.decode()
    summons = case.summonses.get()
    assert reverse("routing:summons_detail", args=[summons.pk]) in html


# --- center switch, keep-alive, case list filters ----------------------------------------------
def test_a_user_with_two_centers_switches_the_center_of_the_counts(login, supervisor, world, routed):
    second = MembershipFactory(user=supervisor, center=world.other_county, role=Membership.Role.SUPERVISOR)
    _make_urgent(routed())  # at the county
    client = login(supervisor)
    assert 'data-badge="overdue">1<' in client.get(reverse("cases:list")).content.decode()
    response = client.post(reverse("accounts:switch_center"), {"membership": second.pk, "next": "/cases/"})
    assert response.status_code == 302 and response.headers["Location"] == "/cases/"
    assert client.session[CURRENT_MEMBERSHIP_KEY] == second.pk
    assert 'data-badge="overdue">0<' in client.get(reverse("cases:list")).content.decode()
    client.post(reverse("accounts:switch_center"), {"membership": ""})
    assert CURRENT_MEMBERSHIP_KEY not in client.session


def test_nobody_switches_to_a_membership_not_theirs(login, supervisor, world):
    stranger = _persona(world, "stranger", Membership.Role.SUPERVISOR, center=world.other_county)
    theirs = (
        stranger.memberships.get()
        if hasattr(stranger, "memberships")
        else Membership.objects.get(user=stranger)
    )
    client = login(supervisor)
    response = client.post(reverse("accounts:switch_center"), {"membership": theirs.pk}, follow=True)
    assert CURRENT_MEMBERSHIP_KEY not in client.session and "无法切换到该岗位" in response.content.decode()
    assert client.post(reverse("accounts:switch_center"), {"membership": "x' or 1"}).status_code == 302
    assert client.get(reverse("accounts:switch_center")).status_code == 405


def test_keep_alive_records_activity_now(login, clerk):
    client = login(clerk)
    session = client.session
    before = time.time() - 30  # recent enough that the middleware itself would not record it again
    session[SESSION_KEY] = before
    session.save()
    response = client.post(reverse("accounts:keep_alive"))
    assert response.status_code == 200 and response.json()["expires_in"] > 0
    assert client.session[SESSION_KEY] >= before + 30
    assert client.get(reverse("accounts:keep_alive")).status_code == 405


def test_staff_pages_carry_the_idle_warning(login, clerk, settings):
    html = login(clerk).get(reverse("accounts:home")).content.decode()
    assert 'data-testid="idle-warning"' in html and "继续办理" in html
    assert f'data-idle-timeout="{settings.SESSION_IDLE_TIMEOUT}"' in html


def test_case_list_filters_by_level_and_overdue(login, supervisor, routed, make_case):
    urgent, calm = routed(), make_case()
    _make_urgent(urgent)
    client = login(supervisor)
    html = client.get(reverse("cases:list"), {"level": "3"}).content.decode()
    assert urgent.number in html and calm.number not in html
    html = client.get(reverse("cases:list"), {"overdue": "1"}).content.decode()
    assert urgent.number in html and calm.number not in html
    assert client.get(reverse("cases:list"), {"level": "9x", "status": "nope"}).status_code == 200


def test_home_shows_a_visit_due_on_a_day_and_a_deadline_at_a_time(login, mediator, routed):
    """A follow-up visit is due on a day (a date, no hour); the card shows "m-d" and the page answers 200."""
    from cases.lifecycle.models import FollowUpVisit

    case = routed()
    routing.claim_case(case, actor=mediator)
    _make_urgent(case)
    due = timezone.localdate() - dt.timedelta(days=3)
    FollowUpVisit.objects.create(case=case, reason=FollowUpVisit.Reason.values[0], due_on=due)
    response = login(mediator).get(reverse("accounts:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"data-due>{due:%m-%d}<" in html
    overdue_at = timezone.localtime(Case.objects.get(pk=case.pk).due_at)
    assert f"data-due>{overdue_at:%m-%d %H:%M}<" in html
