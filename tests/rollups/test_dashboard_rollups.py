"""The dashboard reads the rollups and shows exactly what the former reads over the cases gave.

The former selectors (``level_by_channel``, ``level_by_center``, ``registered_vs_resolved``, the case
measures over ``Case`` rows and the measures over clocks, summonses, ratings and visits) are kept as the
reference; generated data (the random walk of test_rollups,
plus plain writes spread over 40 days) must give the same figures from the rollups, folded or not.
"""

import datetime as dt
import random
from decimal import Decimal

import pytest
import time_machine

from accounts.models import Center
from cases.core.models import Case
from cases.core.states import Outcome, Status
from cases.rollups.services import fold_rollups
from cases.warnings import selectors as s
from tests.cases.warnings_support import local
from tests.rollups.test_rollups import _step

pytestmark = pytest.mark.django_db

NOW = local(2026, 4, 20, 15)


@pytest.fixture
def generated(make_case, world, clerk, mediator, supervisor, foreign_clerk):
    rng = random.Random(7)
    cases: list[Case] = []
    moment = NOW - dt.timedelta(days=40)
    for _ in range(70):
        moment += dt.timedelta(hours=rng.choice([3, 9, 14]))
        with time_machine.travel(moment, tick=False):
            _step(rng, cases, make_case, world, clerk, mediator, supervisor, moment, everything=True)
    for i, case in enumerate(cases[::3]):  # ended on days spread over the 40, as the generator writes them
        Case.objects.filter(pk=case.pk).update(
            status=Status.CONCLUDED,
            outcome=[Outcome.WRITTEN_AGREEMENT, Outcome.FAILED, Outcome.ORAL_AGREEMENT][i % 3],
            concluded_at=NOW - dt.timedelta(days=i * 2, hours=i),
            money_covered=Decimal(100 * i),
        )
    with time_machine.travel(moment, tick=False):
        make_case(center=world.other_county, actor=foreign_clerk)  # never counted for this supervisor
    return cases


def _former(user, period: s.Period) -> dict:
    names = dict(s.supervised_centers(user).order_by("name").values_list("pk", "name"))
    centers = list(names)
    cases = s.open_cases_in(centers)
    by_channel = s.level_by_channel(cases)
    return {
        "by_channel": {"columns": by_channel["columns"], "rows": by_channel["rows"]},
        "by_center": s.level_by_center(cases, names),
        "series": s.registered_vs_resolved(centers, NOW),
        "success": s.mediation_success_rate(centers, period),
        "resolution": s.resolution_rate(centers, period),
        "money": s.money_covered(centers, period),
        **{key: fn(centers, [period])[0] for key, fn in s.MEASURES_OVER_PERIODS.items()},
    }


def _current(user, period: s.Period) -> dict:
    f = s.dashboard_figures(user, period, now=NOW)
    measures = {
        m["key"]: {k: m[k] for k in ("value", "numerator", "denominator", "pending")} for m in f["measures"]
    }
    return {
        "by_channel": {"columns": f["by_channel"]["columns"], "rows": f["by_channel"]["rows"]},
        "by_center": [{k: row[k] for k in ("center", "total", "levels")} for row in f["by_center"]],
        "series": f["series"],
        "success": measures["mediation_success_rate"],
        "resolution": measures["resolution_rate"],
        "money": f["money_covered"],
        **{key: measures[key] for key in s.MEASURES_OVER_PERIODS},
    }


@pytest.mark.parametrize("folded", [False, True])
def test_the_dashboard_from_rollups_equals_the_former_figures(generated, supervisor, folded):
    if folded:
        fold_rollups()
    periods = [
        s.Period(dt.date(2026, 4, 1), dt.date(2026, 4, 20)),
        s.Period(dt.date(2026, 3, 10), dt.date(2026, 4, 5)),
        s.Period(dt.date(2026, 4, 12), dt.date(2026, 4, 12)),
    ]
    formers = []
    with time_machine.travel(NOW, tick=False):
        for period in periods:
            former, current = _former(supervisor, period), _current(supervisor, period)
            assert current == former, period
            formers.append(former)
    assert former["by_center"] and sum(d["registered"] for d in former["series"])
    assert sum(d["resolved"] for d in former["series"])
    for key in ("success", *s.MEASURES_OVER_PERIODS):  # every measure has figures in some period
        assert any(f[key]["denominator"] for f in formers), key
        assert any(f[key]["numerator"] for f in formers), key


def test_previous_period_figures_sit_beside_the_current(generated, supervisor):
    period = s.Period(dt.date(2026, 4, 11), dt.date(2026, 4, 20))
    with time_machine.travel(NOW, tick=False):
        f = s.dashboard_figures(supervisor, period, now=NOW)
        before = s.Period(dt.date(2026, 4, 1), dt.date(2026, 4, 10))
        assert f["previous_period"] == before
        names = list(
            Center.objects.filter(path__startswith=supervisor.memberships.first().center.path).values_list(
                "pk", flat=True
            )
        )
        for key, _label, fn in s.MEASURES:
            shown = {k: v for k, v in f["previous_measures"][key].items() if k not in ("key", "label")}
            assert shown == fn(names, before), key
        assert f["previous_money_covered"] == s.money_covered(names, before)


def _by_date(rows, date, *, descending=False):
    return [r.pk for r in sorted(rows, key=lambda r: (getattr(r, date), r.pk), reverse=descending)]


LISTS = [  # the dashboard's list, the former read over the cases, the rolled one, the date it is ordered by
    ("overdue_orders", s.overdue_orders, s.overdue_orders_rolled, "deadline", False),
    ("overdue_summonses", s.overdue_summonses, s.overdue_summonses_rolled, "deadline", False),
    ("overdue_visits", s.overdue_visits, s.overdue_visits_rolled, "due_on", False),
    ("newly_escalated", s.newly_escalated, s.newly_escalated_rolled, "created_at", True),
]


def test_the_lists_from_rollups_equal_the_former_reads(generated, supervisor, world, foreign_clerk):
    """Overdue orders, summonses and visits and the level rises, at moments over the 40 days: the same
    rows as the former reads over the county's cases, in (date, id) order, also cut at a small limit."""
    from cases.lifecycle.models import FollowUpVisit
    from cases.warnings.sweep import sweep_due_cases

    for i, case in enumerate(generated[:6]):  # visits not made, due on days over the window (two made)
        FollowUpVisit.objects.create(
            case=case,
            reason=FollowUpVisit.Reason.AFTER_CLOSING,
            due_on=(NOW - dt.timedelta(days=30 - 5 * i)).date(),
            visited_at=NOW if i % 3 == 2 else None,
        )

    with time_machine.travel(NOW - dt.timedelta(days=20), tick=False):
        sweep_due_cases(now=NOW - dt.timedelta(days=20))  # level rises inside the window
    ids = list(s.supervised_centers(supervisor).values_list("pk", flat=True))
    seen = dict.fromkeys([row[0] for row in LISTS], 0)
    for days in (35, 25, 20, 19, 10, 0):
        now = NOW - dt.timedelta(days=days)
        for name, former, rolled, date, descending in LISTS:
            expected = _by_date(former(ids, now), date, descending=descending)
            assert [r.pk for r in rolled(ids, now)] == expected, (name, now)
            assert [r.pk for r in rolled(ids, now, limit=2)] == expected[:2], (name, now)
            seen[name] += len(expected)
    assert all(seen.values()), seen  # every list had rows at some moment
    with time_machine.travel(NOW, tick=False):
        f = s.dashboard_figures(supervisor, s.Period(dt.date(2026, 4, 1), dt.date(2026, 4, 20)), now=NOW)
    for name, former, _rolled, date, descending in LISTS:
        assert [r.pk for r in f[name]] == _by_date(former(ids, NOW), date, descending=descending), name
