"""The data generator (bench/generate/, run by manage.py generate_data) and the benchmark's operations, on small N."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from accounts.models import Center, Membership, User
from bench.generate import feedback
from bench.generate import tables as table_list
from cases.core.identity import normalize_credit_code, parse_resident_id
from cases.intake.services import CaseData, PartyData, register_case
from cases.management.commands.generate_data import BENCH_PASSWORD, generate
from cases.models import OPEN_STATUSES, Case, DisputeType, Party, Status, TimelineEvent
from routing.models import Channel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

N = 500


@pytest.fixture
def generated(db, monkeypatch):
    # Orange and red cases are 8% of the open 10%: at this N, supervise all of them to have a few orders.
    monkeypatch.setattr(feedback, "SUPERVISED_SHARE", {3: 1.0, 4: 1.0})
    monkeypatch.setattr(feedback, "CONFERENCE_SHARE", {3: 1.0, 4: 1.0})
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
    assert types[0] == "registered" and [t for t in types if t != "portal_rated"][-1] == "closed"
    # Everything the staff did happened before closing; only the parties' ratings come after.
    for case in Case.objects.filter(status=Status.CLOSED)[:100]:
        late = case.events.filter(created_at__gt=case.closed_at).exclude(type="portal_rated")
        assert not late.exists(), list(late.values_list("type", flat=True))
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


NEW_TABLE_EVENTS = {
    "session_recorded",
    "agreement_drafted",
    "agreement_signed",
    "agreement_effective",
    "portal_rated",
    "summoned",
    "summons_accepted",
    "summons_declined",
    "summons_action",
    "supervision_issued",
    "supervision_acknowledged",
    "supervision_reported",
    "conference_recorded",
}
NEW_TABLES = [  # the tables the first generator did not fill
    "cases_mediationsession_parties",
    "cases_mediationsession_mediators",
    "cases_agreementsignature",
    "cases_oralagreement",
    "cases_terminationnotice",
    "cases_evaluation",
    "accounts_user",
    "routing_summons",
    "cases_supervisionorder",
    "cases_caseconference",
]
# Filler events of the first generator (notes and calls on long timelines); every other type is a service's.
FILLER_EVENTS = {
    "note_added",
    "call_logged",
    "session_held",
    "visit_recorded",
    "warning_changed",
    "warning_raised",
}


def snapshot() -> dict:
    """Row counts of every table --only-extra fills, and of the events it writes."""
    from cases.management.commands.generate_data import extra_tables, row_counts

    counts = {name: 0 for name in row_counts(extra_tables())}
    with connection.cursor() as cursor:
        for name in counts:
            cursor.execute(f"SELECT count(*) FROM {name}")
            counts[name] = cursor.fetchone()[0]
    counts["new events"] = TimelineEvent.objects.filter(type__in=NEW_TABLE_EVENTS).count()
    counts["citizens"] = User.objects.filter(kind=User.Kind.CITIZEN).count()
    return counts


def make_old(tables: list[str]) -> None:
    """A database as the first generator left it: these tables empty, no events of theirs, no progress.

    Deleting timeline events is maintenance (records/integrity.py): the append-only guard lets it through."""
    from records.integrity import maintenance

    with maintenance(), connection.cursor() as cursor:
        for name in tables:
            if name == "accounts_user":
                cursor.execute("DELETE FROM cases_rating")
                cursor.execute("DELETE FROM accounts_user WHERE kind = 'citizen'")
            else:
                cursor.execute(f"DELETE FROM {name}")
        cursor.execute("DROP TABLE IF EXISTS generate_data_progress")
        TimelineEvent.objects.filter(type__in=NEW_TABLE_EVENTS).delete()


def test_only_extra_fills_existing_cases(generated):
    """--only-extra: the extra tables for cases already there, from scratch and without duplicates."""
    from cases.management.commands.generate_data import generate_extra
    from cases.models import CaseClock, FollowUpVisit
    from routing.models import CaseAssignment

    counts = snapshot()
    make_old([name for name in counts if name not in ("new events", "citizens", "cases_timelineevent")])
    Case.objects.filter(status="closed").update(outcome="resolved")
    report = generate_extra(chunk_size=150, seed=3, log=lambda message: None)
    assert report["cases"] == N
    assert CaseAssignment.objects.count() == counts["routing_caseassignment"]
    assert FollowUpVisit.objects.count() == counts["cases_followupvisit"]
    assert CaseClock.objects.count() == counts["cases_caseclock"]
    assert not Case.objects.filter(outcome="resolved").exists()
    # The lead is the mediator the timeline's 'assigned' event names.
    event = TimelineEvent.objects.filter(type="assigned", case__status="closed").first()
    assert CaseAssignment.objects.get(case=event.case_id).mediator_id == event.data["to"]
    check_new_tables()
    # A second run finds nothing left to do.
    again = snapshot()
    assert generate_extra(chunk_size=150, log=lambda message: None)["cases"] == 0
    assert snapshot() == again


def test_only_extra_over_an_old_database_adds_only_the_new_tables(generated):
    """mc_bench_big's case: sessions, agreements, visits... there, the new tables not. --only-extra fills
    those (reading back the sessions and agreements there), is idempotent, and resumes per table."""
    from cases.management.commands.generate_data import generate_extra

    before = snapshot()
    make_old(NEW_TABLES)
    old = snapshot()
    report = generate_extra(chunk_size=170, seed=11, log=lambda message: None)
    assert report["cases"] == N
    after = snapshot()
    for name, count in old.items():
        if name in (
            "routing_caseassignment",
            "cases_mediationsession",
            "cases_agreement",
            "cases_agreementterm",
        ):
            assert after[name] == count  # left as they were
    # Rows that follow from the plan alone come out the same; drawn ones (ratings, summonses) about the same.
    for name in ("cases_mediationsession_parties", "cases_agreementsignature", "cases_evaluation"):
        assert after[name] == before[name] > 0
    assert after["cases_rating"] > 0 and after["routing_summons"] > 0
    assert report["rows"]["cases_mediationsession"] == report["rows"]["cases_agreement"] == 0
    check_new_tables()
    # Idempotent: nothing more, even when a table's progress is lost (then its rows are found per case).
    assert generate_extra(chunk_size=170, log=lambda message: None)["cases"] == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM generate_data_progress WHERE table_name IN ('cases_agreementsignature', 'cases_rating')"
        )
    generate_extra(chunk_size=170, log=lambda message: None)
    assert snapshot() == after


def test_only_extra_resumes_after_an_interrupted_run(generated, monkeypatch):
    """A run that stops in its third chunk keeps the two chunks it committed; the next run completes the
    rest, without duplicates: the same deterministic rows as an uninterrupted run."""
    from cases.management.commands.generate_data import generate_extra

    before = snapshot()
    make_old(NEW_TABLES)
    calls = []
    real = table_list.summons_rows

    def failing(chunk):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("killed")
        return real(chunk)

    monkeypatch.setattr(table_list, "summons_rows", failing)
    with pytest.raises(RuntimeError):
        generate_extra(chunk_size=100, log=lambda message: None)
    partial = snapshot()
    assert 0 < partial["cases_evaluation"] < before["cases_evaluation"]
    monkeypatch.setattr(table_list, "summons_rows", real)
    report = generate_extra(chunk_size=100, log=lambda message: None)
    assert report["cases"] == N - 200
    after = snapshot()
    for name in ("cases_mediationsession_parties", "cases_agreementsignature", "cases_evaluation"):
        assert after[name] == before[name]
    check_new_tables()


def check_new_tables():
    """The rows of the new tables are what the services would have written."""
    from django.utils import timezone

    from cases.core.timeline import REGISTRY
    from cases.models import (
        Agreement,
        AgreementSignature,
        Evaluation,
        MediationSession,
        OralAgreement,
        Outcome,
        Rating,
        SupervisionOrder,
        TerminationNotice,
    )
    from routing.models import CaseAssignment, Summons

    now = timezone.now()
    # Session participants: every party of the case, and its lead mediator.
    sessions = MediationSession.objects.annotate(
        np=Count("parties", distinct=True), nm=Count("mediators", distinct=True)
    )
    assert sessions.exists() and not sessions.filter(np=0).exists()
    for session in sessions.select_related("case")[:50]:
        assert set(session.parties.values_list("pk", flat=True)) == set(
            session.case.parties.values_list("pk", flat=True)
        )
        lead = CaseAssignment.objects.filter(case=session.case_id, is_lead=True).first()
        if lead:
            assert list(session.mediators.values_list("pk", flat=True)) == [lead.mediator_id]
    # Written agreements: every party signed before the mediator and the seal; effective that day.
    agreements = Agreement.objects.exclude(effective_on=None).prefetch_related("signatures", "case__parties")
    assert agreements.exists()
    for agreement in agreements:
        signatures = list(agreement.signatures.all())
        assert {s.party_id for s in signatures} == {p.pk for p in agreement.case.parties.all()}
        last = max([s.signed_at for s in signatures] + [agreement.mediator_signed_at, agreement.sealed_at])
        assert timezone.localdate(last) == agreement.effective_on
        assert all(s.signed_at <= agreement.sealed_at for s in signatures)
    assert AgreementSignature.objects.count() == sum(len(a.case.parties.all()) for a in agreements)
    # Conclusions: the oral agreement, the termination notice, the evaluation.
    concluded = Case.objects.exclude(concluded_at=None)
    assert OralAgreement.objects.count() == concluded.filter(outcome=Outcome.ORAL_AGREEMENT).count() > 0
    assert (
        TerminationNotice.objects.count() == concluded.filter(outcome__in=["failed", "refused"]).count() > 0
    )
    assert not TerminationNotice.objects.exclude(outcome__in=["failed", "refused"]).exists()
    assert Evaluation.objects.count() == concluded.filter(status__in=["evaluated", "closed"]).count()
    # Ratings: closed cases, one per party, by a citizen with the party's phone; bad ones flagged.
    ratings = Rating.objects.select_related("case", "party", "citizen")
    assert ratings.exists()
    for rating in ratings:
        assert rating.case.status == "closed" and rating.party.case_id == rating.case_id
        assert rating.citizen.kind == User.Kind.CITIZEN and rating.citizen.phone == rating.party.phone
        assert rating.flagged == (rating.score <= 2)
        assert rating.case.closed_at < rating.created_at <= now
    assert TimelineEvent.objects.filter(type="portal_rated").count() == ratings.count()
    # Summonses: the county's departments, answered by their liaison; pending only on open cases.
    summonses = Summons.objects.select_related("case__center", "department")
    assert summonses.exists()
    for s in summonses:
        assert s.department.center_id == int(s.case.center.path.strip("/").split("/")[0])
        assert s.summoned_at < s.deadline
        if s.state == "pending":
            assert s.case.is_open and s.responded_at is None
        else:
            assert Membership.objects.filter(
                user=s.responded_by_id, department=s.department, role="liaison"
            ).exists()
            assert s.summoned_at < s.responded_at <= now
        assert bool(s.decline_reason) == (s.state == "declined")
        assert bool(s.action_taken and s.action_at) == (s.state == "done")
    # Supervision orders: open orange and red cases; never overdue on an orange one (that makes it red).
    for order in SupervisionOrder.objects.select_related("case"):
        assert order.case.is_open and order.case.warning_level >= 3
        if order.case.warning_level == 3:
            assert not order.is_overdue(now)
        assert (order.acknowledged_at is not None) == (order.state != "issued")
        assert (order.reported_at is not None) == (order.state == "reported")
    # Conferences: the open orange and red cases (all of them in these tests), by a supervisor.
    from cases.models import CaseConference

    conferences = CaseConference.objects.select_related("case")
    assert conferences.count() == Case.objects.filter(status__in=OPEN_STATUSES, warning_level__gte=3).count()
    assert not conferences.filter(recorded_by=None).exists()
    # Valid for the app: a sample of each new table passes full_clean.
    for model in (
        AgreementSignature,
        OralAgreement,
        TerminationNotice,
        Evaluation,
        Rating,
        Summons,
        SupervisionOrder,
        CaseConference,
    ):
        for row in model.objects.all()[:30]:
            row.full_clean()
    for user in User.objects.filter(kind=User.Kind.CITIZEN)[:30]:
        user.full_clean()
    # Every event type is a service's (bar the first generator's filler), public as the service makes it.
    types = set(TimelineEvent.objects.values_list("type", flat=True).distinct())
    assert (
        NEW_TABLE_EVENTS - {"summons_declined", "supervision_reported", "supervision_acknowledged"} <= types
    )
    assert types - FILLER_EVENTS <= set(REGISTRY)
    for kind in NEW_TABLE_EVENTS & types:
        assert not TimelineEvent.objects.filter(type=kind).exclude(is_public=REGISTRY[kind].public).exists()


def test_new_tables_are_filled_and_valid(generated):
    check_new_tables()


def test_pages_and_dashboard_read_the_new_rows(generated):
    import datetime as dt

    from django.utils import timezone

    from cases.lifecycle.selectors import lifecycle_of
    from cases.models import Agreement, SupervisionOrder
    from cases.warnings.selectors import Period, case_warning_panel, satisfaction_rate, timely_sign_rate

    case = Agreement.objects.exclude(effective_on=None).select_related("case").first().case
    lifecycle = lifecycle_of(case)
    assert (
        lifecycle.agreement is not None and len(lifecycle.agreement.signatures.all()) == case.parties.count()
    )
    assert all(len(s.parties.all()) == case.parties.count() for s in lifecycle.sessions)
    counties = Center.objects.filter(level=Center.Level.COUNTY)
    centers = Center.objects.all()
    today = timezone.localdate()
    years = Period(today - dt.timedelta(days=5 * 365), today)
    assert satisfaction_rate(centers, years)["denominator"] > 0
    assert timely_sign_rate(centers, years)["denominator"] > 0
    assert counties.exists()
    order = SupervisionOrder.objects.select_related("case").first()
    if order:
        assert order in case_warning_panel(order.case)["orders"]
    # The case page and the dashboard render for the county's supervisor, with the new rows on them.
    from django.test import Client
    from django.urls import reverse

    from routing.models import Summons

    summons = Summons.objects.select_related("case__center").first()
    for shown in (case, summons.case):
        county = Center.objects.get(pk=int(shown.center.path.strip("/").split("/")[0]))
        client = Client()
        client.force_login(User.objects.get(username=f"sup{county.pk}"))
        page = client.get(reverse("cases:detail", args=[shown.pk]))
        assert page.status_code == 200
        if shown == summons.case:
            assert summons.department.name in page.content.decode()
        else:
            assert case.parties.first().name in page.content.decode()
        assert client.get(reverse("cases:warnings_dashboard")).status_code == 200


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


def test_timelines_carry_registered_event_types_only(generated):
    """Every code the generator writes is a service's event type, so the case page shows its label; the long
    timelines' filler too (issue 14: six codes no event type declared showed raw on the page)."""
    from django.test import Client
    from django.urls import reverse

    from cases.core.timeline import REGISTRY

    types = set(TimelineEvent.objects.values_list("type", flat=True).distinct())
    assert types <= set(REGISTRY), types - set(REGISTRY)
    assert not types & FILLER_EVENTS
    long_case = Case.objects.annotate(n=Count("events")).filter(n__gte=150).first()
    county = Center.objects.get(pk=int(long_case.center.path.strip("/").split("/")[0]))
    client = Client()
    client.force_login(User.objects.get(username=f"sup{county.pk}"))
    page = client.get(reverse("cases:detail", args=[long_case.pk]) + "?timeline=all").content.decode()
    for label in ("登记受理", "查看完整证件号/电话", "更新风险因素"):
        assert f"<strong>{label}</strong>" in page
    for code in FILLER_EVENTS | {"sensitive_revealed", "risk_updated"}:
        assert f"<strong>{code}</strong>" not in page


def test_a_code_no_event_type_declares_is_refused():
    from django.core.management.base import CommandError

    from bench.generate.rows import check_event_types

    check_event_types({"registered", "warning_level_changed", "portal_rated", "summoned"})
    with pytest.raises(CommandError, match="note_added"):
        check_event_types({"registered", "note_added"})


def test_about_thirty_percent_of_village_cases_are_quick_records(generated):
    from django.db.models import F

    from grassroots.models import Entry

    village = Case.objects.filter(center__level=Center.Level.VILLAGE)
    quick = Case.objects.filter(grassroots_entry__kind=Entry.Kind.QUICK_RECORD)
    assert set(quick.values_list("status", "outcome").distinct()) == {(Status.CLOSED, "oral_agreement")}
    assert quick.exclude(center__level=Center.Level.VILLAGE).count() == 0
    assert quick.exclude(origin_center=F("center")).count() == 0
    share = quick.count() / village.count()
    assert 0.15 < share < 0.45, share


def test_the_mediator_summaries_follow_the_copied_rows(generated):
    """The COPYed assignments, cases, clocks and ratings went through the summaries' triggers as marks; the
    recount generate_data runs at its end counts them once, and a second recount finds nothing wrong."""
    from mediators.models import MediatorLoad, TrackMark
    from mediators.tracks import recount_tracks

    assert TrackMark.objects.exists()
    report = recount_tracks()
    assert report["mediators"] > 0 and not TrackMark.objects.exists()
    assert MediatorLoad.objects.filter(open_leads__gt=0).exists()
    assert recount_tracks() == {"mediators": report["mediators"], "wrong_loads": 0, "wrong_tracks": 0}


def test_pages_read_counts_what_the_reads_touch_and_skips_writes(generated, settings):
    """--growth's load-independent column: the 8 kB pages an operation's SELECTs touch, from EXPLAIN."""
    settings.ROOT_URLCONF = "bench.urls"
    settings.BENCH_VIEWS = True
    from bench import run

    def one_case():
        return Case.objects.filter(pk=Case.objects.order_by("pk").values_list("pk", flat=True)[:1]).first()

    def every_case():
        return list(Case.objects.values_list("pk", "number"))

    one, every = run.pages_read(one_case), run.pages_read(every_case)
    assert one and every and every > one  # 500 cases span more pages than one row and its index
    # A write is not re-run (it would write twice); a call that only writes has nothing to count.
    case = Case.objects.order_by("pk").first()
    assert run.pages_read(lambda: Case.objects.filter(pk=case.pk).update(priority=case.priority)) is None
    env = run.build_env()
    prepare, call, teardown = run.prepared(run.OPERATIONS["case_list.supervisor"], env)
    prepare()
    assert run.pages_read(call) > 0
    teardown()
