"""The rollups (cases/rollups) agree with a full recount after any sequence of services, and a recount
repairs them — the case rollups and the period measures' (clocks, summonses, ratings, visits).

A seeded random walk drives cases through the real services (register, accept, refuse, route, claim,
conclude with each outcome, reopen, close, raise the level, transfer, the sweep after time passes) plus the
plain ORM writes tests and the data generator make; after every few steps the rollups (folded rows plus
pending deltas) must equal what counting the cases gives, before and after a fold.
"""

import datetime as dt
import random
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from cases.core.models import Case, WarningLevel
from cases.core.states import Outcome, Status
from cases.lifecycle import services as lifecycle
from cases.rollups import measures, pending, triggers
from cases.rollups.models import CaseCount, CaseDay, MeasureDelta, RollupDelta
from cases.rollups.services import counted_from_cases, current_rollups, fold_rollups, recount_rollups
from cases.warnings import services as warnings_services
from cases.warnings.models import ClockTrigger
from cases.warnings.sweep import sweep_due_cases
from mediation_center.errors import DomainError
from routing import services as routing
from tests.cases.warnings_support import local

pytestmark = pytest.mark.django_db

START = local(2026, 3, 2, 9)


def _assert_consistent():
    expected, expected_measures = counted_from_cases(), measures.counted()
    assert current_rollups() == expected
    assert measures.current() == expected_measures
    assert pending.current() == pending.counted()
    fold_rollups()
    assert not RollupDelta.objects.exists() and not MeasureDelta.objects.exists()
    assert current_rollups() == expected
    assert measures.current() == expected_measures


def _measure_step(rng, action, case, world, supervisor, moment):
    """Writes that move the period measures: a summons (by the service) and its answer, a rating, a visit
    made or scheduled, a handling clock stopped or moved, a rating withdrawn (plain ORM writes, as the
    generator and the other areas' services make them; the triggers see both)."""
    from cases.lifecycle.models import FollowUpVisit
    from cases.portal.models import Rating
    from cases.warnings.models import CaseClock
    from routing.models import Summons

    if (
        action == "order"
    ):  # a supervision order (the service), or one reported back (ORM, the trigger sees it)
        from cases.warnings.models import SupervisionOrder

        issued = SupervisionOrder.objects.exclude(state="reported").order_by("pk").first()
        if issued is not None and rng.random() < 0.3:
            SupervisionOrder.objects.filter(pk=issued.pk).update(state="reported")
        else:
            warnings_services.issue_supervision_order(
                case,
                actor=supervisor,
                instructions="请尽快处理",
                deadline=moment + dt.timedelta(hours=rng.choice([3, 50])),
                channel=world.channels["specialist"],
            )
    elif action == "summon":
        routing.summon_departments(
            case,
            actor=supervisor,
            departments=[world.department],
            deadline=moment + dt.timedelta(hours=rng.choice([2, 30, 80])),
        )
    elif action == "answer":
        pending = Summons.objects.filter(state=Summons.State.PENDING).order_by("pk").first()
        if pending is not None:
            late = rng.choice([dt.timedelta(minutes=-30), dt.timedelta(minutes=90)])  # before or after it
            Summons.objects.filter(pk=pending.pk).update(
                state=Summons.State.ACCEPTED, responded_at=pending.deadline + late
            )
    elif action == "rate":
        for party in case.parties.filter(rating__isnull=True)[:2]:
            Rating.objects.create(case=case, party=party, score=rng.randint(1, 5))
    elif action == "unrate":  # one of several withdrawn (the others stay for the figures)
        if Rating.objects.count() > 3:
            Rating.objects.filter(pk=Rating.objects.order_by("pk").values("pk")[:1]).delete()
    elif action == "visit":
        pending = FollowUpVisit.objects.filter(visited_at__isnull=True).first()
        if pending is not None and rng.random() < 0.5:
            FollowUpVisit.objects.filter(pk=pending.pk).update(
                visited_at=moment, satisfaction=rng.randint(1, 5)
            )
        else:
            FollowUpVisit.objects.create(
                case=case,
                reason=FollowUpVisit.Reason.AFTER_CLOSING,
                due_on=moment.date(),
                visited_at=rng.choice([None, moment]),
                satisfaction=rng.choice([None, 2, 3, 5]),
            )
    elif action == "clock":
        CaseClock.objects.filter(case=case, code="handling").update(
            stopped_at=moment,
            stop_reason=rng.choice([ClockTrigger.CONCLUDED, ClockTrigger.CLOSED, ""]),
            due_at=moment + dt.timedelta(hours=rng.choice([-30, 5])),
        )


ACTIONS = [
    "register",
    "register",
    "submit",
    "route",
    "claim",
    "conclude",
    "reopen",
    "raise",
    "refuse",
    "orm",
    "transfer",
]
# What moves the period measures and the dashboard's lists too (``everything=True``; the other tests' data
# stays what the plain walk gives).
MORE_ACTIONS = ["transfer", "summon", "answer", "rate", "unrate", "visit", "clock", "order"]


def _step(rng, cases, make_case, world, clerk, mediator, supervisor, moment, *, everything=False):
    action = rng.choice(ACTIONS + (MORE_ACTIONS if everything else []))
    if action in ("register", "submit") or not cases:
        center = rng.choice([world.county, world.town, world.village])
        status = Status.SUBMITTED if action == "submit" else Status.REGISTERED
        from cases.intake.services import register_case
        from tests.conftest import make_case_data

        people = rng.choice([1, 3, 12, 40])
        cases.append(
            register_case(center=center, actor=clerk, data=make_case_data(people_count=people), status=status)
        )
        return action
    case = Case.objects.get(pk=rng.choice(cases).pk)
    try:
        if action == "route" or case.status == Status.SUBMITTED:
            if case.status == Status.SUBMITTED:
                from cases.intake.services import accept_case

                accept_case(case, actor=clerk)
            else:
                routing.route_case(
                    case,
                    actor=clerk,
                    channel=world.channels["specialist"],
                    center=world.county,
                    override_reason="测试",
                )
        elif action == "claim":
            routing.claim_case(case, actor=mediator)
        elif action == "conclude":
            outcome = rng.choice([Outcome.WITHDRAWN, Outcome.REFUSED, Outcome.TRANSFERRED])
            lifecycle.conclude_case(case, actor=mediator, outcome=outcome, reason="测试")
        elif action == "reopen":
            lifecycle.reopen_case(case, actor=supervisor, reason="测试重启")
        elif action == "raise":
            warnings_services.raise_warning_level(
                case, actor=supervisor, level=rng.choice([3, 4]), reason="测试"
            )
        elif action == "refuse":
            from cases.intake.services import refuse_case

            refuse_case(case, actor=clerk, reason="不属于调解范围")
        elif action == "transfer":
            to = world.village if everything and case.center_id == world.town.pk else world.town
            routing.transfer_case(case, actor=supervisor, to_center=to, reason="测试移交")
        elif action in ("summon", "answer", "rate", "unrate", "visit", "clock", "order"):
            _measure_step(rng, action, case, world, supervisor, moment)
        elif action == "orm":  # a plain UPDATE, as tests and the generator write: the trigger sees it too
            Case.objects.filter(pk=case.pk).update(
                status=Status.CONCLUDED,
                outcome=rng.choice([Outcome.WRITTEN_AGREEMENT, Outcome.ORAL_AGREEMENT, Outcome.FAILED]),
                concluded_at=moment,
                money_covered=Decimal(rng.randint(0, 50000)) / 100,
                warning_level=rng.choice(list(WarningLevel.values)),
            )
            if everything:  # and a plain move to another center (the triggers move its items)
                moved = rng.choice([case.center_id, world.town.pk, world.village.pk])
                Case.objects.filter(pk=case.pk).update(center_id=moved)
    except DomainError:
        return action + " refused"
    return action


@pytest.mark.parametrize("seed", [1, 2])
def test_rollups_follow_a_random_sequence_of_services(seed, make_case, world, clerk, mediator, supervisor):
    rng = random.Random(seed)
    cases: list[Case] = []
    moment = START
    done = []
    kinds: set[str] = set()  # the lists' kinds seen at some check
    for i in range(120):
        moment += dt.timedelta(hours=rng.choice([1, 5, 20, 30]))
        with time_machine.travel(moment, tick=False):
            done.append(
                _step(rng, cases, make_case, world, clerk, mediator, supervisor, moment, everything=True)
            )
            if i % 15 == 14:
                sweep_due_cases(now=moment + dt.timedelta(days=40))  # clocks run out: levels rise
        if i % 10 == 9:
            _assert_consistent()
            kinds |= {row[0] for row in pending.counted()}
    assert {"register", "route", "claim", "conclude"} <= {d.split()[0] for d in done}
    counts, days = counted_from_cases()
    assert any(status == Status.CONCLUDED for _c, status, _l, _ch in counts)
    assert any(level >= WarningLevel.ORANGE for _c, _s, level, _ch in counts)
    assert any(v[2] for v in days.values()) and any(v[4] for v in days.values())
    rolled = measures.counted()
    for measure in measures.MEASURES:  # every measure was moved, with hits and misses
        total = sum(v[0] for (_c, m, _d), v in rolled.items() if m == measure)
        hit = sum(v[1] for (_c, m, _d), v in rolled.items() if m == measure)
        assert 0 < hit < total, measure
    assert kinds == set(pending.BY_KIND)  # every list had items at some check
    _assert_consistent()


def test_a_deleted_case_leaves_the_rollups(make_case, world):
    from records.integrity import maintenance

    keep, gone = make_case(), make_case(center=world.town)
    with maintenance():  # a case leaves only as retention moves it out (its timeline is append-only)
        gone.events.all().delete()
        Case.objects.filter(pk=gone.pk).delete()
    counts, days = current_rollups()
    assert counts == {(world.county.pk, Status.REGISTERED, keep.warning_level, 0): 1}
    assert sum(v[0] for v in days.values()) == 1
    _assert_consistent()


def test_a_change_of_other_columns_writes_no_delta(make_case):
    case = make_case()
    before = RollupDelta.objects.count()
    Case.objects.filter(pk=case.pk).update(summary="改过的概况", people_count=7)
    assert RollupDelta.objects.count() == before


def test_the_recount_repairs_drifted_rollups(make_case, world):
    cases = [make_case() for _ in range(3)]
    fold_rollups()
    CaseCount.objects.filter(center=world.county).update(n=99)  # drift, as a bug or a restore would leave
    CaseDay.objects.create(center=world.village, day=dt.date(2020, 1, 1), registered=5)
    with connection.cursor() as cursor:  # and a lost trigger (SQLite rebuilds tables in migrations)
        cursor.execute(
            "DROP TRIGGER cases_rollup_insert" + ("" if connection.vendor == "sqlite" else " ON cases_case")
        )
    make_case()
    assert current_rollups() != counted_from_cases()
    call_command("recount_rollups", stdout=(out := __import__("io").StringIO()))
    assert "有误" in out.getvalue()
    assert current_rollups() == counted_from_cases()
    assert current_rollups()[0] == {(world.county.pk, Status.REGISTERED, cases[0].warning_level, 0): 4}
    make_case()  # the command put the trigger back
    assert current_rollups() == counted_from_cases()
    assert recount_rollups() == {
        "counts": 1,
        "days": 1,
        "wrong_counts": 0,
        "wrong_days": 0,
        "measures": 0,
        "wrong_measures": 0,
        "pending": len(pending.counted()),  # the cases' first level changes
        "wrong_pending": 0,
    }


def test_the_trigger_is_installed_after_migrate():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        names = {row[0] for row in cursor.fetchall()}
    assert set(triggers.NAMES) <= names
