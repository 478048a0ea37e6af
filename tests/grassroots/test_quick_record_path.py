"""The quick record's one set-based path (``cases.lifecycle.services.register_and_close_case``) leaves what the
step services called one after another leave: the same case, parties, events (each step's, with its actor),
routing decision, assignment, session, oral agreement, follow-up visit, clocks, level changes, search index,
rollups and hash chains; in a fixed, low number of statements."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from cases.core.models import Case, Party
from cases.core.states import Outcome
from cases.intake.services import PartyData, register_case
from cases.lifecycle.models import FollowUpVisit, MediationSession, OralAgreement
from cases.lifecycle.services import close_case, conclude_case, record_session
from cases.rollups.models import RollupDelta
from cases.warnings.models import CaseClock, Notification, WarningChange
from grassroots import events
from grassroots.services import _quick_route, record_quick
from records.integrity import verify
from routing.models import CaseAssignment, RouteDecision
from routing.services import route_case
from search.indexer import index_cases, index_pending
from search.models import CaseIndex, CaseKey

from .conftest import quick_data

pytestmark = pytest.mark.django_db(transaction=False)

AGREEMENT = "赵六当天疏通水沟"


def _composed(actor, center, data) -> Case:
    """The quick record as the step services make it (what grassroots did before the one path)."""
    from django.utils import timezone

    from cases.core.models import Source

    with transaction.atomic():
        data.source = Source.GRID
        case = register_case.step(center=center, actor=actor, data=data)
        channel, suggestion = _quick_route(case)
        case = route_case.step(
            case,
            actor=actor,
            channel=channel,
            center=center,
            departments=[],
            priority=suggestion.priority,
            override_reason="随手调：纠纷已在现场化解，由本级登记办结",
        )
        CaseAssignment.objects.create(
            case=case, mediator=actor, is_lead=True, how="claim", assigned_by=actor, reason="随手调"
        )
        events.ON_SPOT_TAKEN.record(case, actor=actor, data={"mediator": str(actor), "mediator_id": actor.pk})
        record_session.step(
            case,
            actor=actor,
            started_at=timezone.now(),
            mode=MediationSession.Mode.IN_PERSON,
            place=data.place,
            discussion=data.summary,
            result=AGREEMENT,
            parties=list(case.parties.all()),
            mediators=[actor],
        )
        conclude_case.step(case, actor=actor, outcome=Outcome.ORAL_AGREEMENT, oral_content=AGREEMENT)
        return close_case.step(
            case,
            actor=actor,
            summary=f"随手调现场化解，达成口头协议：{AGREEMENT}",
            evaluation_waived="随手调简易程序：现场化解，达成口头协议",
        )


VOLATILE_CASE = {"id", "number", "serial", "tracking_code", "created_at", "updated_at"}
STAMPS = ("accepted_at", "routed_at", "concluded_at", "closed_at")
VOLATILE_DATA = {"session", "started_at", "oral_agreement"}


def _values(queryset, *drop) -> list[dict]:
    return [{k: v for k, v in row.items() if k not in {"id", "case_id", *drop}} for row in queryset.values()]


def _footprint(case: Case) -> dict:
    index_pending()  # the words of the case: the search index's sweep (search/indexer.py)
    row = Case.objects.filter(pk=case.pk).values().get()
    session = MediationSession.objects.get(case=case)
    index = CaseIndex.objects.filter(case=case).values("head", "body", "excerpt", "respondents").get()
    volatile_keys = {case.number.lower(), case.tracking_code.lower(), str(case.serial)}
    return {
        "case": {k: v for k, v in row.items() if k not in VOLATILE_CASE and k not in STAMPS},
        "stamps set": [bool(row[s]) for s in STAMPS],
        "parties": _values(Party.objects.filter(case=case).order_by("role", "name")),
        "events": [
            (e.type, e.actor_id, e.is_public, {k: v for k, v in e.data.items() if k not in VOLATILE_DATA})
            for e in case.events.order_by("pk")
        ],
        "route": _values(RouteDecision.objects.filter(case=case), "decided_at", "created_at"),
        "assignment": _values(CaseAssignment.objects.filter(case=case), "assigned_at"),
        "session": (session.mode, session.place, session.discussion, session.result, session.recorded_by_id),
        "session people": (
            sorted(p.name for p in session.parties.all()),
            [m.pk for m in session.mediators.all()],
        ),
        "oral": list(
            OralAgreement.objects.filter(case=case).values_list("content", "agreed_on", "recorded_by")
        ),
        "visits": _values(FollowUpVisit.objects.filter(case=case), "created_at"),
        "clocks": [
            (
                c.code,
                c.name,
                c.policy_clock_id,
                c.unit,
                c.length,
                c.stop_reason,
                c.stopped_at is not None,
                c.due_at,
                c.provisional,
            )
            for c in CaseClock.objects.filter(case=case).order_by("code")
        ],  # fmt: skip
        "levels": list(
            WarningChange.objects.filter(case=case)
            .order_by("seq")
            .values_list("seq", "from_level", "to_level", "basis", "reason", "actor_id")
        ),
        "notifications": Notification.objects.filter(case=case).count(),
        "index": index,
        "keys": set(CaseKey.objects.filter(case=case).values_list("key", flat=True)) - volatile_keys,
    }


def _rollup_net(before: int) -> Counter:
    """The net rollup deltas written since row ``before`` (a case's insert and updates sum to its end state)."""
    rows = (
        RollupDelta.objects.filter(pk__gt=before)
        .values("center_id", "status", "level", "channel", "created_day", "concluded_day", "success", "money")
        .annotate(n=Sum("sign"))
    )
    return Counter({tuple(r[k] for k in r if k != "n"): r["n"] for r in rows if r["n"]})


def _last_delta() -> int:
    return RollupDelta.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize(
    "variant",
    [
        {},
        {"risk_violence": True, "people_count": 30, "amount": Decimal("250000")},  # a red first level
        {
            "parties": [
                PartyData(
                    role=Party.Role.APPLICANT,
                    name="王五",
                    phone="13800138001",
                    id_number="11010519491231002X",
                ),
                PartyData(role=Party.Role.RESPONDENT, name="赵六", phone="13800138002"),
                PartyData(role=Party.Role.RESPONDENT, name="孙七"),
            ]
        },
    ],
    ids=["plain", "red-risk", "three-parties"],
)
def test_one_path_leaves_what_the_steps_leave(world, grid_worker, variant):
    mark = _last_delta()
    composed = _composed(grid_worker, world.village, quick_data(**variant))
    composed_rollups = _rollup_net(mark)
    mark = _last_delta()
    entry = record_quick(
        actor=grid_worker, center=world.village, data=quick_data(**variant), agreement=AGREEMENT
    )
    quick = Case.objects.get(pk=entry.case_id)
    assert _rollup_net(mark) == composed_rollups
    expected, got = _footprint(composed), _footprint(quick)
    for part in expected:
        assert got[part] == expected[part], part
    # every step of the law on the timeline, in order, each with the recorder as actor
    assert [e[0] for e in got["events"]] == [
        "registered", "routed", "grassroots_on_spot", "session_recorded", "concluded", "closed",
    ]  # fmt: skip
    assert {e[1] for e in got["events"]} == {grid_worker.pk}
    stamps = [getattr(quick, s) for s in ("created_at", "routed_at", "concluded_at", "closed_at")]
    assert stamps == sorted(stamps) and quick.accepted_at == quick.created_at
    assert verify().ok  # the hash chains of both timelines


def test_the_index_row_is_what_a_rebuild_writes(world, grid_worker):
    entry = record_quick(actor=grid_worker, center=world.village, data=quick_data(), agreement=AGREEMENT)
    index_pending()
    written = (
        CaseIndex.objects.filter(case_id=entry.case_id).values("head", "body", "excerpt", "respondents").get()
    )
    keys = set(CaseKey.objects.filter(case_id=entry.case_id).values_list("key", flat=True))
    index_cases([entry.case_id])
    assert (
        CaseIndex.objects.filter(case_id=entry.case_id).values("head", "body", "excerpt", "respondents").get()
        == written
    )
    assert set(CaseKey.objects.filter(case_id=entry.case_id).values_list("key", flat=True)) == keys
    assert AGREEMENT in written["excerpt"]


# On PostgreSQL: one read (the resend token and the grid area), the number's sequence, the reserved ids, every
# row but the timeline's in one round trip (case, parties, clocks, level changes, routing's decision,
# assignment, entry, session, its parties, its mediators, oral agreement, follow-up visit), the timeline's
# events, the index row, the index keys. Elsewhere (SQLite, in-process) the reservation is one statement per
# table and the rows one statement per table.
QUICK_RECORD_STATEMENTS = 7
QUICK_RECORD_STATEMENTS_PORTABLE = 22


def _statements(world, grid_worker, data) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        record_quick(
            actor=grid_worker, center=world.village, data=data, agreement=AGREEMENT, client_token=None
        )
    return [
        q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def test_a_quick_record_runs_a_fixed_low_number_of_statements(world, grid_worker):
    record_quick(
        actor=grid_worker, center=world.village, data=quick_data(), agreement=AGREEMENT
    )  # warm caches
    two = _statements(world, grid_worker, quick_data())
    five = _statements(
        world,
        grid_worker,
        quick_data(parties=[PartyData(role=Party.Role.APPLICANT, name=f"当事人{i}") for i in range(5)]),
    )
    fast = connection.vendor == "postgresql"
    expected = QUICK_RECORD_STATEMENTS if fast else QUICK_RECORD_STATEMENTS_PORTABLE
    assert len(two) == len(five) == expected, "\n".join(five)
    updates = [s for s in two if s.startswith("UPDATE")]
    assert len(updates) == (1 if fast else 6)  # the number's sequence (and SQLite's id counters)
    assert sum('"cases_casenumbersequence"' in s for s in updates) == 1  # the case row is written once
    assert sum('INSERT INTO "cases_timelineevent"' in s for s in two) == 1
    if fast:  # the rows of every table but the timeline's, in one round trip
        batch = next(s for s in two if s.startswith('INSERT INTO "cases_case"'))
        assert batch.count("INSERT INTO") == 12, batch


def test_a_resend_answers_the_stored_entry_in_one_read_more(world, grid_worker):
    first = record_quick(
        actor=grid_worker, center=world.village, data=quick_data(), agreement=AGREEMENT, client_token="tok-1"
    )
    data = quick_data()
    with CaptureQueriesContext(connection) as ctx:
        again = record_quick(
            actor=grid_worker,
            center=world.village,
            data=data,
            agreement=AGREEMENT,
            client_token="tok-1",
        )
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert again.pk == first.pk and again.case_id == first.case_id and len(reads) == 2, "\n".join(reads)
    assert Case.objects.filter(summary=quick_data().summary).count() == 1  # nothing written twice
    assert first.grid_area_id is not None and again.grid_area_id == first.grid_area_id


def test_one_cache_read_of_the_reference_version_per_call(world, grid_worker, monkeypatch):
    from cases.core import workcalendar

    record_quick(actor=grid_worker, center=world.village, data=quick_data(), agreement=AGREEMENT)
    reads = []
    real = workcalendar._read_version
    monkeypatch.setattr(workcalendar, "_read_version", lambda: reads.append(1) or real())
    record_quick(actor=grid_worker, center=world.village, data=quick_data(), agreement=AGREEMENT)
    assert len(reads) == 1
    reads.clear()
    register_case(center=world.village, actor=grid_worker, data=quick_data())
    assert len(reads) == 1


def test_a_change_of_reference_data_inside_the_block_is_read_at_once():
    from cases.core import workcalendar

    with workcalendar.one_reference_version():
        before = workcalendar.reference_version()
        assert workcalendar.reference_version() == before
        workcalendar._new_version()
        after = workcalendar.reference_version()
    assert after != before and workcalendar.reference_version() == after


def test_reserved_ids_are_the_rows_ids_and_never_taken_twice(world, grid_worker):
    from mediation_center.dialect import insert_together, reserve_ids

    entry = record_quick(actor=grid_worker, center=world.village, data=quick_data(), agreement=AGREEMENT)
    with transaction.atomic():
        (first,), (second_a, second_b) = reserve_ids([(OralAgreement, 1), (OralAgreement, 2)])
        (third,) = reserve_ids([(OralAgreement, 1)])[0]
        assert len({first, second_a, second_b, third}) == 4
        rows = [
            OralAgreement(
                pk=pk,
                case_id=entry.case_id,
                content=f"第{pk}条",
                agreed_on=date.today(),
                recorded_by=grid_worker,
            )
            for pk in (second_b, first)
        ]
        insert_together([(rows, False)])
        plain = OralAgreement.objects.create(
            case_id=entry.case_id, content="后来", agreed_on=date.today(), recorded_by=grid_worker
        )
    stored = dict(OralAgreement.objects.filter(pk__in=[first, second_b]).values_list("pk", "content"))
    assert stored == {first: f"第{first}条", second_b: f"第{second_b}条"}
    assert plain.pk > max(first, second_a, second_b, third)  # an ordinary insert draws past the reserved ids
    assert OralAgreement.objects.get(pk=first).created_at is not None  # auto_now_add stamped (not raw)


def test_record_together_calls_each_hook_per_event_unless_it_takes_them_together(make_case, monkeypatch):
    from cases.core import events as case_events
    from cases.core import timeline

    case = make_case()
    seen, together = [], []

    def per_event(case, event):
        seen.append(event.type)

    def batch(case, events):
        together.append([e.type for e in events])

    def batched(case, event):  # pragma: no cover - its ``together`` is called instead
        raise AssertionError("called per event")

    batched.together = batch
    monkeypatch.setattr(timeline, "RECORD_HOOKS", [per_event, batched])
    written = timeline.record_together(
        case, [(case_events.SESSION_RECORDED, None, {"n": 1}), (case_events.CONCLUDED, None, {"n": 2})]
    )
    assert [e.type for e in written] == seen == ["session_recorded", "concluded"]
    assert together == [["session_recorded", "concluded"]]
    assert [e.pk for e in written] == sorted(e.pk for e in written)
    stored = case.events.filter(pk__in=[e.pk for e in written]).order_by("pk")
    assert [(e.is_public, e.data) for e in stored] == [
        (False, {"n": 1}),
        (True, {"n": 2}),
    ]  # each type's own flag
