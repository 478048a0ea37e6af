"""The status lookup reads everything its page shows in the one statement that finds the case and writes its
audit row (issue 17 item 4): the rows it builds the page from are the ones the ORM's own reads chose before
(the current and the effective agreement, the terms, the termination notice, the oral agreement, the clocks
and extensions, the visits, the public timeline), for cases that carry each of them."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.lifecycle import services as lifecycle
from cases.lifecycle.services import current_agreement
from cases.models import CaseClock, DisputeType
from cases.portal import selectors, services
from cases.warnings.clocks import case_deadlines
from cases.warnings.services import extend_clock
from tests.cases.lifecycle_helpers import make_effective, route, session
from tests.cases.warnings_support import START

pytestmark = pytest.mark.django_db


def _by_the_orm(case) -> dict:
    """What the status page read, one query each, before its reads went into one statement."""
    effective = (
        case.agreements.filter(voided=False, effective_on__isnull=False)
        .prefetch_related("terms")
        .order_by("-effective_on", "-pk")
        .first()
    )
    deadlines = case_deadlines(case, citizen=True)
    oral = case.oral_agreements.order_by("-agreed_on").first()
    notice = case.termination_notices.first()
    return {
        "current_agreement": current_agreement(case),
        "terms": [(t.pk, t.content) for t in effective.terms.all()] if effective else [],
        "notice": notice,
        "oral": oral,
        "headline": deadlines.headline,
        "running": [(c.pk, c.due_at) for c in deadlines.running],
        "extensions": [(e.pk, e.length, e.reason) for e in deadlines.extensions],
        "visited": case.follow_ups.filter(visited_at__isnull=False).exists(),
        "timeline": [(e.pk, e.type, e.created_at) for e in selectors.public_timeline(case)],
    }


def _by_the_lookup(code: str, digits: str) -> dict:
    with CaptureQueriesContext(connection) as queries:
        case = services.look_up_case(code=code, phone_last4=digits, request=None)
    rows = selectors.status_rows(case)
    progress = selectors.citizen_progress(case)
    if connection.vendor == "postgresql":  # the case, its parties, the audit row and the rest: one statement
        statements = [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"] not in ("BEGIN", "COMMIT") and not q["sql"].startswith("PREPARE")
        ]
        assert len(statements) == 1 and statements[0].startswith("EXECUTE")
    return {
        "current_agreement": rows["agreements"][0] if rows["agreements"] else None,
        "terms": [(t.pk, t.content) for t in progress.terms],
        "notice": rows["notice"][0] if rows["notice"] else None,
        "oral": rows["oral_agreement"][0] if rows["oral_agreement"] else None,
        "headline": progress.deadlines.headline,
        "running": [(c.pk, c.due_at) for c in progress.deadlines.running],
        "extensions": [(e.pk, e.length, e.reason) for e in progress.deadlines.extensions],
        "visited": bool(rows["visited"]),
        "timeline": [(e.pk, e.type, e.created_at) for e in rows["public_events"]],
    }


def test_an_extended_concluded_case_with_an_agreement(make_case, world, mediator, supervisor):
    with time_machine.travel(START, tick=False):
        case = make_case(dispute_type=DisputeType.objects.get(code="family"))
    with time_machine.travel(START + dt.timedelta(days=2), tick=False):
        extend_clock(
            CaseClock.objects.get(case=case, code="handling"), actor=supervisor, length=15, reason="需要鉴定"
        )
        case = route(case, world.channels["specialist"])
        session(case, mediator)
        make_effective(case, mediator)
        lifecycle.conclude_case(case, actor=mediator, outcome="written_agreement")
        found = _by_the_lookup(case.tracking_code, "8000")
    expected = _by_the_orm(case)
    assert found == expected
    assert expected["terms"] and expected["extensions"] and expected["current_agreement"] is not None


def test_a_terminated_case_by_its_number(make_case, world, mediator):
    with time_machine.travel(START, tick=False):
        case = route(make_case(), world.channels["specialist"])
        session(case, mediator)
        lifecycle.conclude_case(
            case, actor=mediator, outcome="failed", reason="不同意", routes=["arbitration", "court"]
        )
        found = _by_the_lookup(case.number, "5678")
    expected = _by_the_orm(case)
    assert found == expected and expected["notice"] is not None and expected["timeline"]


def test_a_closed_case(make_case, close):
    case = close(make_case())
    assert _by_the_lookup(case.tracking_code, "8000") == _by_the_orm(case)
