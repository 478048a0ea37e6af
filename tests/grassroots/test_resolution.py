"""The level-of-resolution figures match a plain Python count over the same cases."""

import pytest
from django.utils import timezone

from accounts.models import Center
from cases.core.models import Case
from cases.core.states import ACCEPTED_STATUSES, Outcome
from grassroots.models import Entry
from grassroots.selectors import resolution_figures
from grassroots.services import record_quick, report_dispute

from .conftest import quick_data

pytestmark = pytest.mark.django_db


def _python_count(root: Center) -> dict:
    ids = {c.pk for c in Center.objects.all() if c.path.startswith(root.path)}
    quick = set(Entry.objects.filter(kind=Entry.Kind.QUICK_RECORD).values_list("case_id", flat=True))
    counts = dict.fromkeys(["total", "resolved", "village", "town", "county", "upward", "on_spot"], 0)
    for case in Case.objects.select_related("center", "origin_center"):
        if case.origin_center_id not in ids or case.status not in ACCEPTED_STATUSES:
            continue
        counts["total"] += 1
        if case.center.level < case.origin_center.level:
            counts["upward"] += 1
        if case.outcome in Outcome.resolved():
            counts["resolved"] += 1
            counts[{1: "county", 2: "town", 3: "village"}[case.center.level]] += 1
            counts["on_spot"] += case.pk in quick
    return counts


def test_figures_match_a_plain_python_count(
    world, grid_worker, town_clerk, make_case, django_assert_max_num_queries
):
    from cases.intake.services import accept_case, refuse_case

    for _ in range(3):
        record_quick(actor=grid_worker, center=world.village, data=quick_data(), agreement="和解")
    waiting = report_dispute(actor=grid_worker, center=world.village, to_center=world.town, data=quick_data())
    accepted = report_dispute(
        actor=grid_worker, center=world.village, to_center=world.town, data=quick_data()
    )
    accept_case(accepted.case, actor=town_clerk)
    refused = report_dispute(actor=grid_worker, center=world.village, to_center=world.town, data=quick_data())
    refuse_case(refused.case, actor=town_clerk, reason="不属于调解范围")
    make_case(center=world.town)
    make_case(center=world.county)
    today = timezone.localdate()
    for root in (world.county, world.town, world.village):
        with django_assert_max_num_queries(2):
            figures = resolution_figures(root, today.replace(month=1, day=1), today)
        assert figures.counts == _python_count(root), root
    town = resolution_figures(world.town, today.replace(month=1, day=1), today)
    assert town.counts["on_spot"] == 3 and town.counts["village"] == 3 and town.village_rate == 100.0
    # a report sent to the town is registered there (origin = town): it did not leave the town
    assert town.counts["upward"] == 0 and town.counts["total"] == 3 + 1 + 1
    assert waiting.case.status == "submitted"  # not yet accepted: not counted
