from io import StringIO

import pytest
from django.core.management import call_command

from cases.core.states import Status
from grassroots.models import Entry, GridArea, LatentRisk, ReferenceList, ScreeningRound

pytestmark = pytest.mark.django_db


def test_demo_has_a_grid_worker_quick_records_a_report_a_risk_and_a_round():
    out = StringIO()
    call_command("load_demo", stdout=out)
    area = GridArea.objects.get()
    assert list(area.workers.values_list("username", flat=True)) == ["grid_worker"]
    quick = Entry.objects.filter(kind=Entry.Kind.QUICK_RECORD).select_related("case")
    assert quick.count() == 4 and {e.case.status for e in quick} == {Status.CLOSED}
    report = Entry.objects.get(kind=Entry.Kind.REPORT)
    assert report.case.status == Status.SUBMITTED and report.case.center.level == 2
    assert LatentRisk.objects.filter(status=LatentRisk.Status.OPEN).count() == 1
    assert ReferenceList.objects.count() == 3
    assert ScreeningRound.objects.get().tasks.count() == 2
    logins = StringIO()
    call_command("demo_logins", stdout=logins)
    assert "grid_worker" in logins.getvalue() and "网格员" in logins.getvalue()
