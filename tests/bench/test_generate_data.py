"""The data generator (cases/management/commands/generate_data.py) and the benchmark's operations, on small N."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import Center, Membership, User
from cases.identity import normalize_credit_code, parse_resident_id
from cases.management.commands.generate_data import BENCH_PASSWORD, generate
from cases.models import OPEN_STATUSES, Case, DisputeType, Party, Status, TimelineEvent
from cases.services.intake import CaseData, PartyData, register_case
from routing.models import Channel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

N = 500


@pytest.fixture
def generated(db):
    return generate(
        N,
        counties=2,
        towns=3,
        villages=4,
        chunk_size=200,
        seed=7,
        long_timeline_share=0.01,
        log=lambda message: None,
    )


def test_counts_tree_and_staff(generated):
    assert Case.objects.count() == N
    assert generated["rows"]["cases_case"] == N
    assert Party.objects.count() == generated["rows"]["cases_party"] >= 2 * N
    assert TimelineEvent.objects.count() == generated["rows"]["cases_timelineevent"]
    assert Center.objects.filter(level=Center.Level.COUNTY).count() == 2
    assert Center.objects.filter(level=Center.Level.TOWN).count() == 6
    assert Center.objects.filter(level=Center.Level.VILLAGE).count() == 24
    village = Center.objects.filter(level=Center.Level.VILLAGE).select_related("parent__parent").first()
    assert village.path == f"/{village.parent.parent_id}/{village.parent_id}/{village.pk}/"
    assert set(Center.objects.get(pk=village.parent.parent_id).subtree()) >= {village, village.parent}
    # Every case center is in the tree; cases are spread over all three levels.
    levels = set(Case.objects.values_list("center__level", flat=True).distinct())
    assert levels == {1, 2, 3}
    county = Center.objects.filter(level=Center.Level.COUNTY).first()
    roles = set(Membership.objects.filter(center=county).values_list("role", flat=True))
    assert {"clerk", "mediator", "supervisor"} <= roles
    mediator_channels = Membership.objects.filter(center=county, role="mediator").values_list(
        "channel", flat=True
    )
    assert set(mediator_channels) == set(Channel.objects.values_list("pk", flat=True))
    assert User.objects.get(username=f"sup{county.pk}").check_password(BENCH_PASSWORD)
    assert generated["peak_rss_mb"] > 0


def test_status_mix_channels_types_and_warning_levels(generated):
    open_share = Case.objects.filter(status__in=OPEN_STATUSES).count() / N
    assert 0.06 <= open_share <= 0.14
    statuses = set(Case.objects.values_list("status", flat=True).distinct())
    # Evaluated is 0.5% of the mix (2–3 cases expected at N=500): all the others must be there.
    assert statuses <= {s.value for s in Status}
    assert {s.value for s in Status} - statuses <= {"evaluated"}
    assert set(Case.objects.values_list("source", flat=True).distinct()) >= {
        "counter",
        "hotline_12345",
        "grid",
    }
    assert Case.objects.values("dispute_type").distinct().count() == DisputeType.objects.count()
    assert Case.objects.exclude(channel=None).values("channel").distinct().count() == Channel.objects.count()
    # Warning levels belong to open cases; closed ones are back at none.
    assert set(Case.objects.filter(status__in=OPEN_STATUSES).values_list("warning_level", flat=True)) >= {
        0,
        1,
        2,
    }
    assert not Case.objects.exclude(status__in=OPEN_STATUSES).exclude(warning_level=0).exists()
    assert not Case.objects.filter(status=Status.CLOSED, closed_at=None).exists()
    assert not Case.objects.filter(status=Status.CLOSED, concluded_at__gt=models_f("closed_at")).exists()
    assert Case.objects.filter(status__in=OPEN_STATUSES, next_check_at=None).count() == 0


def models_f(name):
    from django.db.models import F

    return F(name)


def test_identity_numbers_are_valid(generated):
    people = Party.objects.filter(id_type=Party.IdType.RESIDENT_ID)
    assert people.count() > N // 2
    for party in people.only("id_number", "birth_date", "sex"):
        parsed = parse_resident_id(party.id_number)  # raises on a wrong check character
        assert parsed.birth_date == party.birth_date
        assert parsed.sex == party.sex
    companies = Party.objects.filter(kind=Party.Kind.LEGAL)
    assert companies.exists()
    for party in companies.only("credit_code"):
        assert normalize_credit_code(party.credit_code) == party.credit_code


def test_timelines(generated):
    per_case = Case.objects.annotate(n=Count("events"))
    assert not per_case.filter(n=0).exists()
    closed = Case.objects.filter(status=Status.CLOSED).first()
    types = list(closed.events.order_by("created_at").values_list("type", flat=True))
    assert types[0] == "registered" and types[-1] == "closed"
    assert "routed" in types and "concluded" in types
    # A few cases (one in a thousand at full scale) have a very long timeline.
    longest = per_case.order_by("-n").first()
    assert longest.n >= 150


def test_intake_continues_numbering_after_generated_cases(generated, clerk):
    center = Center.objects.filter(level=Center.Level.COUNTY, area_code__startswith="33").first()
    before = Case.objects.filter(origin_center=center).order_by("-year", "-serial").first()
    case = register_case(
        center=center,
        actor=clerk,
        data=CaseData(
            dispute_type=DisputeType.objects.first(),
            summary="测试",
            parties=[PartyData(role=Party.Role.APPLICANT, name="张三")],
        ),
    )
    if before.year == case.year:
        assert case.serial == before.serial + 1


def test_lifecycle_routing_and_warning_tables(generated):
    from cases.models import Agreement, AgreementTerm, CaseClock, FollowUpVisit, MediationSession, Outcome
    from routing.models import CaseAssignment

    worked = Case.objects.filter(status__in=["in_mediation", "concluded", "evaluated", "closed"])
    # Every worked case has one active lead, a mediator of its center (or the town above a village).
    assert CaseAssignment.objects.count() == worked.exclude(channel=None).count() > 0
    assert not worked.exclude(assignments__is_lead=True).exists()
    lead = CaseAssignment.objects.select_related("case__center").first()
    assert Membership.objects.filter(
        user=lead.mediator, role="mediator", center__in=[lead.case.center_id, lead.case.center.parent_id]
    ).exists()
    # Routed cases are unclaimed, in the channel queue.
    assert not CaseAssignment.objects.filter(case__status="routed").exists()
    sessions = Case.objects.annotate(n=Count("sessions"))
    assert not sessions.filter(status__in=["in_mediation", "closed"], n=0).exists()
    assert sessions.filter(n__gte=1).aggregate(m=models_max("n"))["m"] <= 3
    assert MediationSession.objects.filter(outcome="failed").exists()
    # Outcomes of ended cases: mostly a written agreement, each with a sealed agreement and terms.
    closed = Case.objects.filter(status="closed")
    written = closed.filter(outcome=Outcome.WRITTEN_AGREEMENT).count() / closed.count()
    assert 0.45 <= written <= 0.75
    assert set(closed.values_list("outcome", flat=True)) <= set(Outcome.values) - {"not_accepted"}
    assert not Case.objects.filter(status="not_accepted").exclude(outcome="not_accepted").exists()
    assert Agreement.objects.count() == Case.objects.filter(outcome=Outcome.WRITTEN_AGREEMENT).count()
    assert not Agreement.objects.filter(terms=None).exists()
    assert AgreementTerm.objects.count() >= Agreement.objects.count()
    # A follow-up visit per closed case; most made, with the party's satisfaction.
    assert FollowUpVisit.objects.count() == closed.count()
    made = FollowUpVisit.objects.exclude(visited_at=None)
    assert made.count() / closed.count() > 0.8
    assert not made.filter(satisfaction=None).exists()
    # Every open accepted case has a running handling clock with the case's deadline.
    running = CaseClock.objects.filter(code="handling", stopped_at=None)
    open_accepted = Case.objects.filter(status__in=["registered", "routed", "in_mediation"])
    assert running.count() == open_accepted.count()
    clock = running.select_related("case").first()
    assert clock.due_at == clock.case.due_at and clock.policy_clock is not None
    assert CaseClock.objects.filter(stop_reason="concluded").exists()


def models_max(name):
    from django.db.models import Max

    return Max(name)


def test_only_extra_fills_existing_cases(generated):
    """--only-extra: the extra tables for cases already there, from scratch and without duplicates."""
    from cases.management.commands.generate_data import extra_tables, generate_extra
    from cases.models import CaseClock, FollowUpVisit
    from routing.models import CaseAssignment

    counts = {t.model: t.model.objects.count() for t in extra_tables()}
    for t in extra_tables():
        t.model.objects.all().delete()
    Case.objects.filter(status="closed").update(outcome="resolved")
    report = generate_extra(chunk_size=150, seed=3, log=lambda message: None)
    assert report["cases"] == N
    assert CaseAssignment.objects.count() == counts[CaseAssignment]
    assert FollowUpVisit.objects.count() == counts[FollowUpVisit]
    assert CaseClock.objects.count() == counts[CaseClock]
    assert not Case.objects.filter(outcome="resolved").exists()
    # The lead is the mediator the timeline's 'assigned' event names.
    event = TimelineEvent.objects.filter(type="assigned", case__status="closed").first()
    assert CaseAssignment.objects.get(case=event.case_id).mediator_id == event.data["to"]
    # A second run finds nothing left to do.
    assert generate_extra(chunk_size=150, log=lambda message: None)["cases"] == 0
    assert CaseAssignment.objects.count() == counts[CaseAssignment]


def test_second_run_adds_cases_to_the_same_tree(generated):
    centers = Center.objects.count()
    call_command("generate_data", cases=200, chunk=100, stdout=open("/dev/null", "w"))
    assert Case.objects.count() == N + 200
    assert Center.objects.count() == centers
    assert Case.objects.values("number").distinct().count() == N + 200


def test_benchmark_operations_run_and_count_queries(generated, settings):
    settings.ROOT_URLCONF = "bench.urls"
    settings.BENCH_VIEWS = True
    from bench import run

    env = run.build_env()
    assert env.long_case.events.count() >= 150
    assert env.mediator.assignments.filter(ended_at=None, case__status="in_mediation").exists()
    for name, op in run.OPERATIONS.items():
        if name.startswith("receipt_pdf"):
            continue  # WeasyPrint takes a second; rendering is tested where documents are
        prepare, call, teardown = run.prepared(op, env)
        prepare()
        call()
        teardown()
    # The API POST registered a case for the bench's external system.
    assert Case.objects.filter(external_system="bench12345").exists()
    # The sweep benchmark puts the cases' next checks back as they were.
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES).order_by("-id")[:10000]
    before = dict(open_cases.values_list("id", "next_check_at"))
    op = run.OPERATIONS["sweep.10000_due"]
    result = run.measure(op, env, repeat=1)
    assert result["repeat"] == 5 and result["queries"] > 0
    assert dict(open_cases.values_list("id", "next_check_at")) == before
    # Nothing due: one look at the sweep index (plus settings and, in a test, the savepoint).
    assert run.measure(run.OPERATIONS["sweep.none_due"], env, repeat=2, warmup=0)["queries"] <= 4
    result = run.measure(run.OPERATIONS["case_page.long_timeline"], env, repeat=2, warmup=1)
    assert result["repeat"] == 2 and result["p50_ms"] > 0
    # The case page's queries do not grow with the timeline.
    short = (
        Case.objects.annotate(n=Count("events"))
        .filter(
            n__lte=8,
            center=env.long_case.center,
            channel__isnull=env.long_case.channel_id is None,
            status=env.long_case.status,
            outcome=env.long_case.outcome,
        )
        .first()
    )
    if short:
        env.long_case = short
        assert (
            run.measure(run.OPERATIONS["case_page.long_timeline"], env, repeat=1, warmup=1)["queries"]
            == result["queries"]
        )
