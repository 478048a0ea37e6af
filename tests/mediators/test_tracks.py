"""The recommendation's maintained summaries (mediators/tracks.py): every change that moves a mediator's load or
track record leaves a mark in its own transaction; the sweep's refresh rewrites the marked mediators; the reader
computes a marked mediator from the cases; a recount finds nothing wrong after any sequence of services, and
repairs a row that was tampered with."""

import random
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Membership
from cases.core.models import Case, DisputeType
from cases.lifecycle.services import conclude_case, reopen_case
from cases.portal.models import Rating
from cases.warnings.models import CaseClock
from mediators.models import MediatorLoad, MediatorTrack, TrackMark
from mediators.ranking import recommend_mediators
from mediators.tracks import compute, recount_tracks, refresh_tracks, summaries_for
from routing import services as routing
from routing.models import CaseAssignment
from tests.conftest import _persona


def _stored():
    loads = {m: n for m, n in MediatorLoad.objects.values_list("mediator_id", "open_leads") if n}
    tracks = {
        (m, t): figures
        for m, t, *figures in MediatorTrack.objects.values_list(
            "mediator_id",
            "dispute_type_id",
            "similar",
            "resolved",
            "timed",
            "on_time",
            "rating_sum",
            "rating_n",
        )
    }
    return loads, {k: tuple(v) for k, v in tracks.items()}


def _computed(ids):
    loads, tracks = compute(ids)
    return {m: n for m, n in loads.items() if n}, {k: t.figures() for k, t in tracks.items()}


def _plain_load(user):
    """Open cases as lead, case by case."""
    return sum(
        a.ended_at is None and a.case.is_open
        for a in CaseAssignment.objects.filter(mediator=user, is_lead=True).select_related("case")
    )


@pytest.fixture
def team(world, mediator):
    others = [
        _persona(world, f"tm{i}", Membership.Role.MEDIATOR, channel=world.channels["specialist"])
        for i in range(3)
    ]
    return [mediator, *others]


def test_each_kind_of_change_leaves_a_mark_and_the_refresh_consumes_them(routed_case, mediator, supervisor):
    case = routed_case()
    TrackMark.objects.all().delete()
    routing.claim_case(case, actor=mediator)
    assert set(TrackMark.objects.values_list("mediator_id", flat=True)) == {mediator.pk}
    assert refresh_tracks() == 1 and not TrackMark.objects.exists()
    assert MediatorLoad.objects.get(mediator=mediator).open_leads == 1
    conclude_case(
        case, actor=mediator, outcome="oral_agreement", reason="双方达成口头协议", oral_content="付清欠薪"
    )
    assert TrackMark.objects.filter(mediator_id=mediator.pk).exists()
    refresh_tracks()
    track = MediatorTrack.objects.get(mediator=mediator, dispute_type=case.dispute_type)
    # concluded, not yet closed: still open (evaluation and closing are to come), so still in the load
    assert (track.similar, track.resolved, MediatorLoad.objects.get(mediator=mediator).open_leads) == (
        1,
        1,
        1,
    )
    Rating.objects.create(case=case, party=case.parties.first(), score=5)  # a bulk write is seen as well
    assert TrackMark.objects.exists()
    refresh_tracks()
    track = MediatorTrack.objects.get(mediator=mediator, dispute_type=case.dispute_type)  # rows are rewritten
    assert (track.rating_sum, track.rating_n) == (5, 1)
    Case.objects.filter(pk=case.pk).update(dispute_type=DisputeType.objects.get(code="family"))
    refresh_tracks()
    assert list(
        MediatorTrack.objects.filter(mediator=mediator).values_list("dispute_type__code", flat=True)
    ) == ["family"]
    CaseClock.objects.filter(case=case, code="handling").update(
        due_at=timezone.now() - timezone.timedelta(days=9)
    )
    refresh_tracks()
    assert MediatorTrack.objects.get(mediator=mediator).on_time == 0
    reopen_case(case, actor=supervisor, reason="当事人反映协议未履行")
    refresh_tracks()
    assert recount_tracks()["wrong_loads"] == recount_tracks()["wrong_tracks"] == 0
    assert refresh_tracks() == 0  # nothing pending: a second sweep changes nothing


def test_a_marked_mediator_is_read_from_the_cases_until_the_refresh(routed_case, mediator, make_profile):
    make_profile(mediator, types=["labour"])
    routing.claim_case(routed_case(), actor=mediator)
    refresh_tracks()
    routing.claim_case(routed_case(), actor=mediator)  # marked, not yet refreshed
    loads, _tracks = summaries_for([mediator.pk], routed_case().dispute_type_id)
    assert loads == {mediator.pk: 2} and MediatorLoad.objects.get(mediator=mediator).open_leads == 1
    assert "当前在办2件" in recommend_mediators(routed_case())[0].reasons
    refresh_tracks()
    assert MediatorLoad.objects.get(mediator=mediator).open_leads == 2
    assert "当前在办2件" in recommend_mediators(routed_case())[0].reasons


def test_the_summaries_equal_the_cases_after_a_random_sequence_of_services(
    routed_case, team, supervisor, make_profile
):
    """Claims, reassignments, conclusions of every kind, ratings, reopenings and reclassifications in a random
    order: the recommendation reads the same before the refresh (marks, computed live) and after it (stored
    rows), the stored rows equal the cases, and a recount finds nothing wrong."""
    rng = random.Random(18)
    for user in team:
        make_profile(user, types=rng.sample(["labour", "family", "neighbour"], 1))
    types = list(DisputeType.objects.filter(code__in=["labour", "family", "neighbour"]))
    cases = []
    done = {"conclude": 0, "rate": 0, "reopen": 0, "assign": 0, "close": 0}
    for step in range(100):
        action = rng.choice(
            ["new", "assign", "conclude", "rate", "reopen", "retype", "close"] if cases else ["new"]
        )
        case = rng.choice(cases) if cases else None
        if case is not None:
            case.refresh_from_db()
        if action == "new":
            cases.append(routed_case())
            routing.claim_case(cases[-1], actor=rng.choice(team))
        elif action == "assign" and case.status in ("routed", "in_mediation"):
            lead = CaseAssignment.objects.filter(case=case, is_lead=True, ended_at__isnull=True).first()
            choice = rng.choice([u for u in team if lead is None or u.pk != lead.mediator_id])
            routing.assign_mediator(case, actor=supervisor, mediator=choice, reason=f"调整承办人{step}")
            done["assign"] += 1
        elif action == "conclude" and case.status == "in_mediation":
            lead = CaseAssignment.objects.get(case=case, is_lead=True, ended_at__isnull=True).mediator
            outcome = rng.choice(["oral_agreement", "failed", "refused"])
            conclude_case(
                case, actor=lead, outcome=outcome, reason="调解结束", oral_content="已履行", routes=["court"]
            )
            done["conclude"] += 1
        elif action == "rate" and case.concluded_at and not Rating.objects.filter(case=case).exists():
            Rating.objects.create(case=case, party=case.parties.first(), score=rng.randint(1, 5))
            done["rate"] += 1
        elif action == "reopen" and case.concluded_at:
            reopen_case(case, actor=supervisor, reason="复核后重新调解")
            done["reopen"] += 1
        elif action == "close" and case.status == "concluded":
            Case.objects.filter(pk=case.pk).update(
                status="closed"
            )  # as close_case leaves it, past evaluation
            done["close"] += 1
        elif action == "retype":
            Case.objects.filter(pk=case.pk).update(dispute_type=rng.choice(types))
    assert all(done.values()), done  # every kind of change happened
    ids = [u.pk for u in team]
    probe = routed_case()
    before = [(c.user.pk, c.score, c.reasons) for c in recommend_mediators(probe, limit=10)]
    assert TrackMark.objects.exists()
    refresh_tracks()
    assert not TrackMark.objects.exists()
    after = [(c.user.pk, c.score, c.reasons) for c in recommend_mediators(probe, limit=10)]
    assert before == after
    assert _stored() == _computed(ids)
    for user in team:
        assert MediatorLoad.objects.get(mediator=user).open_leads == _plain_load(user)
    assert recount_tracks() == {"mediators": len(ids), "wrong_loads": 0, "wrong_tracks": 0}


def test_the_recount_repairs_a_tampered_row(routed_case, mediator):
    case = routed_case()
    routing.claim_case(case, actor=mediator)
    refresh_tracks()
    MediatorLoad.objects.filter(mediator=mediator).update(open_leads=99)
    MediatorTrack.objects.create(mediator=mediator, dispute_type=case.dispute_type, similar=7)
    assert recount_tracks() == {"mediators": 1, "wrong_loads": 1, "wrong_tracks": 1}
    assert MediatorLoad.objects.get(mediator=mediator).open_leads == 1
    assert not MediatorTrack.objects.exists()
    assert recount_tracks()["wrong_loads"] == 0


def test_the_refresh_is_scheduled_every_minute(db):
    from django_celery_beat.models import PeriodicTask

    from mediators.apps import seed_refresh_schedule

    seed_refresh_schedule()
    task = PeriodicTask.objects.get(name="mediators.refresh_tracks")
    assert task.enabled and task.interval.every == 60 and task.task == "mediators.refresh_tracks"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refreshes_and_writers_at_once_lose_nothing(world, clerk, supervisor):
    """Writers claim and conclude while two sweeps refresh at once, one of them holding its transaction open
    with a mediator's row locked: afterwards the stored rows equal the cases and a recount finds nothing wrong."""
    from cases.intake.services import register_case
    from tests.conftest import make_case_data

    team = [
        _persona(world, f"cc{i}", Membership.Role.MEDIATOR, channel=world.channels["specialist"])
        for i in range(3)
    ]
    cases = [
        routing.route_case(
            register_case(center=world.county, actor=clerk, data=make_case_data()), actor=clerk
        )
        for _ in range(9)
    ]
    for i, case in enumerate(cases):
        routing.claim_case(case, actor=team[i % 3])
    held, release = threading.Event(), threading.Event()
    errors = []

    def holder():
        try:
            with transaction.atomic():
                from mediators.tracks import _rewrite, _take_marks

                _rewrite(_take_marks(10_000))
                held.set()
                release.wait(10)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    def writer():
        try:
            for i, case in enumerate(cases[:6]):
                conclude_case(case, actor=team[i % 3], outcome="failed", reason="调解不成", routes=["court"])
        except Exception as error:  # pragma: no cover
            errors.append(error)
        finally:
            connection.close()

    def sweeper():
        try:
            refresh_tracks(seconds=5)
        except Exception as error:  # pragma: no cover
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=holder)
    first.start()
    assert held.wait(10)
    others = [threading.Thread(target=writer), threading.Thread(target=sweeper)]
    for thread in others:
        thread.start()
    release.set()
    for thread in [first, *others]:
        thread.join(30)
    assert not errors
    refresh_tracks()
    assert _stored() == _computed([u.pk for u in team])
    assert recount_tracks()["wrong_loads"] == 0
