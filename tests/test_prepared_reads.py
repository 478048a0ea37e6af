"""Prepared reads (mediation_center/prepared.py): a GET request's plain SELECTs run as PREPAREd statements
of their connection's session, with the same results, the same query log and nothing else changed."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mediation_center import dialect, prepared
from tests.cases.lifecycle_helpers import *  # noqa: F403
from tests.cases.lifecycle_helpers import make_effective

pytestmark = pytest.mark.postgres


def _held() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def _page(client, url) -> str:
    """The page without what differs between two renders (the form tokens, the idle clock)."""
    html = client.get(url).content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"csrfToken": "[^"]+"|X-CSRFToken": "[^"]+"', "", html)
    return re.sub(r'data-idle-left="[^"]*"', "", html)


@pytest.fixture
def wrapped():
    """Runs a block as a GET request's database work runs (the middleware's wrapper on the connection)."""
    return lambda: connection.execute_wrapper(prepared.prepared_reads_wrapper)


def test_case_page_is_the_same_with_and_without_prepared_reads(login, settings, mediating_case, mediator, supervisor):
    make_effective(mediating_case, mediator)
    url = reverse("cases:detail", args=[mediating_case.pk])
    reads = []

    def record(execute, sql, params, many, context):
        # (a read whose values would be typed otherwise than inlined is kept unprepared: not counted)
        if prepared._candidate(sql, params, many, context["cursor"]):
            reads.append(dialect._prepared_forms(sql, len(params))[0])
        return execute(sql, params, many, context)

    for user in (mediator, supervisor):
        client = login(user)
        settings.DB_PREPARED_STATEMENTS = False
        plain = _page(client, url)
        settings.DB_PREPARED_STATEMENTS = True
        first = _page(client, url)
        with connection.execute_wrapper(record):
            second = _page(client, url)
        assert first == plain and second == plain
    # the page's reads are held by the session now (but those found unfit on their first PREPARE)
    unfit = {dialect._prepared_forms(sql, sql.count("%s"))[0] for sql in prepared._UNPREPARABLE if "%%" not in sql}
    held = set(reads) - unfit
    assert len(held) >= 5
    assert held <= _held()


def test_query_log_shows_the_statements_as_written(login, mediating_case, mediator):
    """CaptureQueriesContext (the query-count tests) and the debug log see the SQL and its values, not
    ``EXECUTE p_…``, and count each statement once."""
    make_effective(mediating_case, mediator)
    url = reverse("cases:detail", args=[mediating_case.pk])
    client = login(mediator)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    sqls = [q["sql"] for q in captured.captured_queries]
    assert sqls, "the page read nothing?"
    assert not [sql for sql in sqls if sql.lstrip().upper().startswith(("EXECUTE", "PREPARE", "SAVEPOINT"))]
    assert any(f'"cases_case"."id" = {mediating_case.pk}' in sql for sql in sqls)


def test_writes_locks_and_posts_are_not_prepared(db, wrapped, mediating_case):
    before = _held()
    with wrapped(), connection.cursor() as cursor:
        cursor.execute("SELECT id FROM cases_case WHERE id = %s FOR UPDATE", [mediating_case.pk])
        cursor.execute("UPDATE cases_case SET id = id WHERE id = %s", [mediating_case.pk])
        cursor.execute("SELECT id FROM cases_case WHERE number LIKE '%%x%%' AND id = %s", [mediating_case.pk])
        for _ in range(2):
            cursor.execute("SELECT id FROM cases_case WHERE id = %s", [mediating_case.pk])
            assert cursor.fetchone() == (mediating_case.pk,)
    assert len(_held() - before) == 1  # only the plain read


def test_a_text_run_once_is_not_prepared(db, wrapped):
    """A statement with values written into its text (run once) costs no PREPARE; its second run on the
    connection does (so a connection opened for one request, DB_CONN_MAX_AGE=0, prepares nothing)."""
    before = _held()
    with wrapped(), connection.cursor() as cursor:
        cursor.execute("SELECT 41 + count(*) FROM accounts_user WHERE id > %s", [0])
        assert cursor.fetchone() == (41,)
        assert _held() == before
        cursor.execute("SELECT 41 + count(*) FROM accounts_user WHERE id > %s", [0])
        assert cursor.fetchone() == (41,)
    assert len(_held() - before) == 1


def test_a_post_runs_unwrapped(login, mediating_case, mediator):
    client = login(mediator)
    before = _held()
    client.post(reverse("cases:detail", args=[mediating_case.pk]), {})
    assert _held() == before


def test_refused_statement_runs_plainly_and_the_transaction_goes_on(db, wrapped):
    """The server cannot type ``$1 IS NULL``: the refusal is taken back to a savepoint, remembered, and the
    statement runs with its value inlined."""
    sql = "SELECT %s IS NULL, 7"
    with wrapped(), connection.cursor() as cursor:
        for _ in range(2):
            cursor.execute(sql, [None])
            assert cursor.fetchone() == (True, 7)
        cursor.execute("SELECT 1 FROM cases_case WHERE id = %s", [0])  # the transaction is usable
        assert cursor.fetchone() is None
    assert sql in prepared._UNPREPARABLE


def test_a_value_typed_otherwise_than_inlined_runs_plainly(db, wrapped):
    """``SELECT $1`` is text to the server, while the inlined 5 is an integer: kept unprepared, so the
    caller gets 5, not '5'."""
    with wrapped(), connection.cursor() as cursor:
        cursor.execute("SELECT %s AS five", [5])
        assert cursor.fetchone() == (5,)
        cursor.execute("SELECT %s AS five", [5])
        assert cursor.fetchone() == (5,)


@pytest.mark.django_db(transaction=True)
def test_a_session_that_lost_its_statements_prepares_them_again(wrapped, world):
    sql = "SELECT count(*) FROM accounts_user WHERE id > %s"
    with wrapped(), connection.cursor() as cursor:
        for _ in range(2):
            cursor.execute(sql, [0])
        users = cursor.fetchone()[0]
        name = dialect._prepared_forms(sql, 1)[0]
        assert name in _held()
        cursor.execute("DEALLOCATE ALL")  # as DISCARD ALL or a pooler would
        cursor.execute(sql, [0])
        assert cursor.fetchone() == (users,)
        assert name in _held()


def test_each_connection_holds_a_bounded_number(db, wrapped, monkeypatch):
    monkeypatch.setattr(prepared, "MAX_PER_CONNECTION", 5)
    before = _held()
    with wrapped(), connection.cursor() as cursor:
        for n in range(12):
            for _ in range(2):
                cursor.execute(f"SELECT {n} FROM accounts_user WHERE id = %s", [0])
    assert len(_held() - before) == 5


def test_a_server_side_iterator_is_not_prepared(db, wrapped, supervisor, mediator):
    from accounts.models import User

    before = _held()
    with wrapped():
        for _ in range(2):
            names = [user.username for user in User.objects.filter(id__gt=0).iterator(chunk_size=2)]
    assert names
    assert _held() == before


@pytest.mark.parametrize(
    "value, pg_type, fits",
    [
        (5, "integer", True),
        (2**40, "integer", False),  # inlined it is a bigint literal; as an integer parameter, a range error
        (40000, "smallint", False),
        (5, "text", False),
        ("5", "integer", True),  # an untyped literal either way
        (None, "date", True),
        ([1, 2], "bigint[]", True),
        ((1, 2), "bigint[]", False),  # inlined as a row, not an array
        (True, "boolean", True),
    ],
)
def test_which_values_are_sent_to_a_prepared_statement(value, pg_type, fits):
    assert prepared._fits(value, pg_type) is fits


def test_a_list_of_ids_fits_by_its_extremes():
    assert prepared._fits(list(range(10_000)), "bigint[]")
    assert not prepared._fits([1, 2**33], "integer[]")
    assert prepared._fits([1, None, 3], "integer[]")
    assert not prepared._fits([1, "x", 2.5], "integer[]")


def test_a_statement_that_fitted_still_checks_the_range_of_its_integers(monkeypatch):
    monkeypatch.setattr(prepared, "_KINDS_FIT", {})
    sql = "SELECT 1 WHERE %s > 0 AND %s > 0"
    types = ("smallint", "text")
    assert prepared._values_fit(sql, [5, "a"], types)
    assert prepared._values_fit(sql, [6, "b"], types)  # the kinds are known now
    assert not prepared._values_fit(sql, [70_000, "b"], types)
    assert not prepared._values_fit(sql, ["x", 5], types)
