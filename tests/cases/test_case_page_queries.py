"""The case page reads each thing once: its sections share the case's assignments, access answers and
attachments instead of each asking again (bench/README.md finding 5)."""

import re
import traceback
from collections import Counter
from pathlib import Path

import django.template
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.intake.services import mark_repeat, merge_case
from cases.portal.models import CaseMessage
from tests.cases.lifecycle_helpers import *  # noqa: F403
from tests.cases.lifecycle_helpers import make_effective

# Lower, never raise: 45 and 42 at first, 31 when the sections shared their reads, 11 since the case's own
# sections are read in one statement and what they point to in a second (cases/core/batch.py; issue 17),
# 8 since the warning card's clocks and open orders and the conversation's messages joined that statement:
# the user and memberships, the case, the batch and its references, the supervisor's subtree or the
# mediator's assignment check, and the signing section's two.
MAX_QUERIES = {"supervisor": 8, "mediator": 8}
# What the session store adds to every signed-in request, by where sessions live (SESSION_ENGINE): with
# Redis, database rows read through the cache (``mediation_center.sessions``), so a warm request reads
# nothing; in the database (the embedded default, no REDIS_URL) the session's SELECT. Neither writes:
# the idle timeout records the last activity at most once a tenth of the timeout, and the page is
# read twice within a second. The page's own statements are the same on both backends.
SESSION_STATEMENTS = {"sessions": 0, "cache": 0, "db": 1}


def _page_queries(client, case) -> list[str]:
    url = reverse("cases:detail", args=[case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("persona", ["supervisor", "mediator"])
def test_case_page_runs_no_statement_twice(login, request, mediating_case, mediator, persona):
    make_effective(mediating_case, mediator)
    queries = _page_queries(login(request.getfixturevalue(persona)), mediating_case)
    repeated = {sql: n for sql, n in Counter(queries).items() if n > 1}
    assert repeated == {}
    store = settings.SESSION_ENGINE.rsplit(".", 1)[-1]
    session = [sql for sql in queries if "django_session" in sql]
    assert len(session) == SESSION_STATEMENTS[store]  # at most the read: nothing else is session work
    assert len(queries) <= MAX_QUERIES[persona] + SESSION_STATEMENTS[store]


def test_shared_reads_keep_what_each_role_sees(login, mediating_case, mediator, supervisor, other_mediator):
    make_effective(mediating_case, mediator)
    url = reverse("cases:detail", args=[mediating_case.pk])
    as_mediator = login(mediator).get(url).content.decode()
    assert 'data-action="record_session"' in as_mediator  # their case: lifecycle actions
    assert 'data-testid="confirmation-window"' in as_mediator
    assert 'action="' + reverse("cases:attachment-upload", args=[mediating_case.pk]) in as_mediator
    as_supervisor = login(supervisor).get(url).content.decode()
    assert 'data-action="record_session"' not in as_supervisor  # not a mediator of the case
    assert reverse("routing:assign", args=[mediating_case.pk]) in as_supervisor
    assert str(mediator) in as_supervisor[as_supervisor.index('data-testid="mediators"') :][:400]
    assert login(other_mediator).get(url).status_code == 404


# --- Every read of the page comes from a selector, before the template renders ---------------------------


def _queries_while_rendering(client, url) -> list[str]:
    """The statements issued while a template was rendering (a tag, a lazy queryset or relation)."""
    seen: list[str] = []

    def record(execute, sql, params, many, context):
        if any(frame.filename.startswith(TEMPLATE_ENGINE) for frame in traceback.extract_stack()):
            seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(url)
    assert response.status_code == 200
    return seen


TEMPLATE_ENGINE = str(Path(django.template.__file__).parent)


@pytest.mark.parametrize("persona", ["supervisor", "mediator", "clerk"])
def test_case_page_template_runs_no_query(
    login, request, make_case, clerk, mediating_case, mediator, persona
):
    """Each section's data is built by its sub-domain's selector (gathered by cases.page); the template
    only shows it. The case carries every tie the sections show: an earlier case it repeats, a repeat
    visit of it, a case merged into it, a message, evidence and a summons."""
    make_effective(mediating_case, mediator)
    earlier = make_case()
    mark_repeat(mediating_case, actor=clerk, original=earlier)
    mark_repeat(make_case(), actor=clerk, original=mediating_case)
    merge_case(make_case(), actor=clerk, into=mediating_case)
    CaseMessage.objects.create(case=mediating_case, from_staff=False, body="请问何时调解？")
    url = reverse("cases:detail", args=[mediating_case.pk])
    client = login(request.getfixturevalue(persona))
    page = client.get(url).content.decode()
    # The ties and the message are on the page, so their reads were exercised.
    assert reverse("cases:detail", args=[earlier.pk]) in page
    assert "请问何时调解？" in page
    assert _queries_while_rendering(client, url) == []


def test_case_page_templates_load_no_tag_library():
    """The case page's templates show what they are given: no tag library but i18n and form_kit (the field
    partial's filters, which only add CSS classes to the widget), whose tags read nothing."""
    templates = Path(settings.BASE_DIR) / "templates"
    page = ["cases/core/detail.html"] + [
        path
        for path in re.findall(r'{% include "([^"]+)"', (templates / "cases/core/detail.html").read_text())
    ]
    included = [
        inner
        for path in page
        for inner in re.findall(r'{% include "([^"]+)"', (templates / path).read_text())
    ]
    loads = {
        path: re.findall(r"{% load ([^%]+) %}", (templates / path).read_text()) for path in page + included
    }
    # the page and the sections still templates were found (the others are cases/page_html.py, which reads
    # nothing either: it writes what cases.page gathered)
    assert len(loads) >= 5
    assert {
        path: libs
        for path, libs in loads.items()
        if any(lib.strip() not in ("i18n", "form_kit") for lib in libs)
    } == {}
