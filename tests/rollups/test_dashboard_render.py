"""The dashboard's tables and lists written by tags (``cases.templatetags.dashboard_rows``) are the same bytes
as the template loops they replaced (kept in tests/reference_templates/_dashboard_live.html), on generated
data with every list filled: centers, red and orange cases with and without a response deadline, overdue
cases, orders to a person and to a channel, summonses, visits, level rises — at moments over 40 days, in
Chinese and in English."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.template import engines
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import translation

from cases.core.models import Case, WarningLevel
from cases.warnings import views
from tests.rollups.test_dashboard_rollups import NOW, generated

pytestmark = pytest.mark.django_db
FIXTURES = (generated,)  # the generated data of the rollups' comparison, used here by name

REFERENCE = Path(__file__).resolve().parent.parent / "reference_templates" / "_dashboard_live.html"


def _filled(generated, world, supervisor, mediator):
    """Every list of the page gets rows: visits not made, orders with and without a recipient, red and
    orange cases (one with a response deadline past), the sweep's level rises."""
    from cases.lifecycle.models import FollowUpVisit
    from cases.warnings.models import SupervisionOrder
    from cases.warnings.sweep import sweep_due_cases

    for i, case in enumerate(generated[:8]):
        FollowUpVisit.objects.create(
            case=case,
            reason=list(FollowUpVisit.Reason)[i % len(FollowUpVisit.Reason)],
            due_on=(NOW - dt.timedelta(days=30 - 3 * i)).date(),
        )
    open_cases = [
        c for c in generated if Case.objects.get(pk=c.pk).status in ("registered", "routed", "in_mediation")
    ]
    for i, case in enumerate(open_cases[:6]):
        Case.objects.filter(pk=case.pk).update(
            warning_level=WarningLevel.RED if i % 2 else WarningLevel.ORANGE,
            response_due_at=None if i % 3 == 0 else NOW - dt.timedelta(days=i - 2),
            due_at=NOW - dt.timedelta(days=i + 1),
        )
    channel = world.channels[next(iter(world.channels))]
    for i, case in enumerate(open_cases[:4]):
        SupervisionOrder.objects.create(
            case=case,
            issued_by=supervisor,
            instructions="请尽快办理 <b>",
            deadline=NOW - dt.timedelta(days=i + 1),
            recipient=mediator if i % 2 else None,
            channel=None if i % 2 else channel,
        )
    with time_machine.travel(NOW - dt.timedelta(hours=5), tick=False):
        sweep_due_cases(now=NOW - dt.timedelta(hours=5))


def _render_both(user, now, query: dict) -> tuple[str, str]:
    request = RequestFactory().get("/warnings/live/", query)
    request.user, request.session = user, {}
    with time_machine.travel(now, tick=False):
        context = views._dashboard_context(request)
        old = engines["django"].from_string(REFERENCE.read_text()).render(context, request)
        new = get_template("cases/warnings/_dashboard_live.html").render(context, request)
    return old, new


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rows_written_by_tags_equal_the_template(generated, world, supervisor, mediator, language):
    _filled(generated, world, supervisor, mediator)
    seen = set()
    with translation.override(language):
        for days in (20, 3, 0):
            now = NOW - dt.timedelta(days=days)
            for query in ({}, {"start": "2026-03-10", "end": "2026-04-20"}):
                old, new = _render_both(supervisor, now, query)
                assert new == old, (days, query)
                for testid in (
                    "overdue-cases",
                    "overdue-orders",
                    "overdue-summonses",
                    "overdue-visits",
                    "newly-escalated",
                ):
                    part = old.split(f'data-testid="{testid}">', 1)[1].split("</ul>", 1)[0]
                    if "<li><a " in part:
                        seen.add(testid)
                if 'class="overdue">' in old.split('data-testid="red-orange"', 1)[1].split("</table>", 1)[0]:
                    seen.add("red-orange")
                if 'class="load"' in old:
                    seen.add("centers")
    # every list was compared with rows in it at some moment (the summonses come from the random walk)
    assert seen >= {
        "overdue-cases",
        "overdue-orders",
        "overdue-visits",
        "newly-escalated",
        "red-orange",
        "centers",
    }, seen


def test_empty_lists_equal_the_template(world, supervisor):
    old, new = _render_both(supervisor, NOW, {})
    assert new == old
    assert "暂无红色、橙色预警" in new and "暂无在办案件" in new


# The live fragment's statements: the user and their memberships (2), the subtree's centers, the rollups
# (open counts, days and measures in one statement), then one per list: red and orange cases, overdue
# cases, orders, summonses, visits, level rises. The channels come from the reference-data cache. (The
# session is read from the database only where no Redis holds it: not counted.)
LIVE_QUERIES = 10


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200 and "dashboard-data" in response.content.decode()
    return len([q for q in captured.captured_queries if "django_session" not in q["sql"]])


def test_the_live_figures_take_a_fixed_number_of_queries(generated, world, supervisor, mediator, login):
    from django.urls import reverse

    client = login(supervisor)
    url = reverse("cases:warnings_dashboard_live")
    with time_machine.travel(NOW, tick=False):
        client.get(url)  # fills the reference-data cache
        assert _queries(client, url) == LIVE_QUERIES
    _filled(generated, world, supervisor, mediator)  # every list filled: the same number
    with time_machine.travel(NOW, tick=False):
        assert _queries(client, url) == LIVE_QUERIES
        assert "<li><a " in client.get(url).content.decode()


def test_the_live_view_answers_the_fragment_as_rendered_with_the_request(
    generated,
    world,
    supervisor,
    mediator,
    login,
):
    """The refresh renders without the request (no context processors): the same bytes."""
    from django.urls import reverse

    _filled(generated, world, supervisor, mediator)
    client = login(supervisor)
    with time_machine.travel(NOW, tick=False):
        answered = client.get(reverse("cases:warnings_dashboard_live")).content.decode()
    old, new = _render_both(supervisor, NOW, {})
    assert answered == new == old
