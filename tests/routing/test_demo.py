"""The demo data of `make run` routes its cases through the real services."""

from accounts.demo import build_demo_org
from cases.demo import build_demo_cases
from cases.intake.demo import DEMO_CASES
from cases.models import Case, Status
from routing.models import CaseAssignment, RotaEntry, Summons


def test_demo_routes_claims_and_summons(db):
    org = build_demo_org()
    build_demo_cases(org)
    counter_cases = Case.objects.filter(summary__in=[row[1] for row in DEMO_CASES])
    assert counter_cases.count() == len(DEMO_CASES)
    assert not counter_cases.filter(status=Status.REGISTERED).exists()  # all routed
    labour = counter_cases.get(dispute_type__code="labour")
    assert labour.events.filter(type="routed").exists()
    assert CaseAssignment.objects.get(case=labour).mediator.username == "mediator"
    assert Summons.objects.get(case=labour).state == Summons.State.DONE
    medical = counter_cases.get(dispute_type__code="medical")
    assert CaseAssignment.objects.get(case=medical).mediator.username == "mediator2"
    assert RotaEntry.objects.filter(department__code="hrss").count() == 3
