"""mediation_center/statements.py: a compiled statement gives what its queryset gives, SQL and rows alike."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from cases.core.models import Case
from cases.page import case_page_queryset
from mediation_center.db_router import reporting_reads
from mediation_center.statements import ByPk, Statement, Statements
from tests.factories import MembershipFactory

MEMBERSHIPS = Statement(
    lambda user_id: Membership.objects.filter(user_id=user_id).select_related(
        "center", "department", "channel"
    )
)


def _sql(run) -> tuple[list, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        result = run()
    return result, [q["sql"] for q in queries.captured_queries]


def _same_instances(a: list, b: list, related: tuple[str, ...]):
    assert [type(x) for x in a] == [type(y) for y in b]
    for x, y in zip(a, b, strict=True):
        assert x.__dict__.keys() == y.__dict__.keys()
        assert {k: v for k, v in x.__dict__.items() if k != "_state"} == {
            k: v for k, v in y.__dict__.items() if k != "_state"
        }
        assert x._state.db == y._state.db and x._state.adding is y._state.adding is False
        for name in related:
            assert (name in x._state.fields_cache) == (name in y._state.fields_cache)
            rx, ry = x._state.fields_cache.get(name), y._state.fields_cache.get(name)
            assert (rx is None) == (ry is None)
            if rx is not None:
                assert {k: v for k, v in rx.__dict__.items() if k != "_state"} == {
                    k: v for k, v in ry.__dict__.items() if k != "_state"
                }


def test_select_related_rows_and_sql_are_the_queryset_own(world, liaison, mediator, supervisor):
    MembershipFactory(user=mediator, center=world.town, role=Membership.Role.CLERK)  # no channel
    for user in (liaison, mediator, supervisor):
        orm = lambda u=user: list(  # noqa: E731
            Membership.objects.filter(user_id=u.pk).select_related("center", "department", "channel")
        )
        expected, expected_sql = _sql(orm)
        got, got_sql = _sql(lambda u=user: MEMBERSHIPS.rows(u.pk))
        assert got_sql == expected_sql
        _same_instances(got, expected, ("center", "department", "channel"))
        assert got, "each persona has a membership"


def test_values_list_and_a_statement_per_shape(make_case):
    cases = [make_case() for _ in range(3)]
    ids = [c.pk for c in cases]
    by_ids = Statements(
        lambda n: lambda *pks: Case.objects.filter(pk__in=pks).order_by("pk").values_list("pk", "number"),
        arity=lambda n: n,
    )
    for chosen in (ids[:1], ids[:2], ids, list(reversed(ids))):
        expected = list(Case.objects.filter(pk__in=chosen).order_by("pk").values_list("pk", "number"))
        assert by_ids.rows(len(chosen), *chosen) == expected
    assert by_ids.rows(1, -1) == []


def test_by_pk_is_first_and_keeps_the_queryset(make_case):
    case = make_case()
    row = ByPk(case_page_queryset)
    expected, expected_sql = _sql(lambda: case_page_queryset().filter(pk=case.pk).first())
    got, got_sql = _sql(lambda: row.first(case.pk))
    assert got_sql == expected_sql
    _same_instances([got], [expected], ("dispute_type", "center", "origin_center", "channel"))
    assert row.first(case.pk + 1000) is None
    assert str(row.queryset.query) == str(case_page_queryset().query)


def test_values_must_be_integers_that_reach_the_sql(db):
    with pytest.raises(TypeError):
        MEMBERSHIPS.rows("1")
    with pytest.raises(TypeError):
        MEMBERSHIPS.rows(1, 2)
    never_bound = Statement(lambda user_id: Membership.objects.filter(user_id__gt=0))
    with pytest.raises(ValueError):
        never_bound.rows(1)


def test_reporting_reads_follow_the_router(mediator):
    with reporting_reads():  # no replica configured: the reporting alias is the default one
        assert [m.pk for m in MEMBERSHIPS.rows(mediator.pk)] == list(
            Membership.objects.filter(user=mediator).values_list("pk", flat=True)
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_another_thread_runs_it_on_its_own_connection(world):
    from tests.factories import UserFactory

    user = UserFactory(username="threaded")
    MembershipFactory(user=user, center=world.county, role=Membership.Role.MEDIATOR)
    MEMBERSHIPS.rows(user.pk)  # compiled in this thread
    seen = {}

    def other():
        try:
            with CaptureQueriesContext(connections["default"]) as queries:
                seen["rows"] = [m.pk for m in MEMBERSHIPS.rows(user.pk)]
            seen["queries"] = len(queries.captured_queries)
            seen["connection"] = id(connections["default"])
        finally:
            connections.close_all()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen["rows"] == list(Membership.objects.filter(user=user).values_list("pk", flat=True))
    assert seen["queries"] == 1  # counted on the thread's own connection
    assert seen["connection"] != id(connections["default"])
