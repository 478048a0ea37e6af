"""Fair measures against a plain Python computation, the Excel export and who sees what (issue 18 item 5)."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.lifecycle.models import FollowUpVisit
from cases.models import Case, DisputeType
from cases.portal.models import Rating
from mediators import services
from mediators.measures import measures_for
from mediators.models import DifficultyWeight
from routing import services as routing
from routing.models import CaseAssignment


@pytest.fixture
def concluded(routed_case, supervisor, mediator, mediator2, studio):
    """Seven cases worked by two mediators (one through the studio), concluded with different ends and times."""
    now = timezone.now()
    DifficultyWeight.objects.create(
        dispute_type=DisputeType.objects.get(code="labour"), weight=Decimal("1.5")
    )
    DifficultyWeight.objects.create(risk_level=4, weight=Decimal("2"))
    plan = [  # (lead, outcome, days to conclude, days late (<0 early), risk, ratings, visit, days ago)
        (mediator, "written_agreement", 10, -2, 0, [5, 4], 5, 20),
        (mediator, "failed", 30, 5, 4, [2], None, 15),
        (mediator, "oral_agreement", 3, -10, 0, [], 3, 5),
        (mediator2, "written_agreement", 7, 1, 0, [5], None, 12),
        (mediator2, "refused", 2, -1, 4, [], None, 3),
        (mediator, "written_agreement", 8, -1, 0, [4], None, 400),  # outside the period
        ("studio", "written_agreement", 6, -3, 0, [3], 4, 8),
    ]
    cases = []
    for lead, outcome, took, late, risk, scores, visit, ago in plan:
        case = routed_case()
        if lead == "studio":
            services.assign_case_to_group(
                case, actor=supervisor, group=studio, lead=mediator2, reason="工作室"
            )
        else:
            routing.claim_case(case, actor=lead)
        concluded_at = now - timedelta(days=ago)
        Case.objects.filter(pk=case.pk).update(
            status="concluded",
            outcome=outcome,
            accepted_at=concluded_at - timedelta(days=took),
            concluded_at=concluded_at,
            due_at=concluded_at - timedelta(days=late),
            risk_level=risk,
        )
        parties = list(case.parties.all())
        for party, score in zip(parties, scores, strict=False):
            Rating.objects.create(case=case, party=party, score=score)
        if visit:
            FollowUpVisit.objects.create(
                case=case,
                reason="after_closing",
                due_on=concluded_at.date(),
                visited_at=now,
                satisfaction=visit,
            )
        cases.append(case)
    # A reassignment after the conclusion does not take the case from the lead who concluded it.
    CaseAssignment.objects.filter(case=cases[0]).update(ended_at=now)
    return cases


def plain_python(start, end):
    """The same figures, case by case, without the module under test."""
    weights = {
        w.dispute_type_id: w.weight for w in DifficultyWeight.objects.filter(dispute_type__isnull=False)
    }
    risk = {w.risk_level: w.weight for w in DifficultyWeight.objects.filter(risk_level__isnull=False)}
    out = {}
    for case in Case.objects.filter(concluded_at__isnull=False):
        day = timezone.localtime(case.concluded_at).date()
        if not (start <= day <= end):
            continue
        leads = [
            a.mediator
            for a in CaseAssignment.objects.filter(case=case, is_lead=True)
            if a.ended_at is None or a.ended_at >= case.concluded_at
        ]
        for lead in leads:
            f = out.setdefault(
                str(lead), {"n": 0, "ok": 0, "on_time": 0, "days": 0.0, "w": Decimal(0), "s": []}
            )
            f["n"] += 1
            f["ok"] += case.outcome in ("written_agreement", "oral_agreement")
            f["on_time"] += case.concluded_at <= case.due_at
            f["days"] += (case.concluded_at - case.accepted_at).total_seconds() / 86400
            f["w"] += weights.get(case.dispute_type_id, Decimal(1)) * risk.get(case.risk_level, Decimal(1))
            f["s"] += [r.score for r in Rating.objects.filter(case=case)]
            f["s"] += [
                v.satisfaction for v in FollowUpVisit.objects.filter(case=case, satisfaction__isnull=False)
            ]
    return out


def test_figures_match_a_plain_computation(concluded, supervisor, django_assert_max_num_queries):
    end = timezone.localdate()
    start = end - timedelta(days=90)
    with django_assert_max_num_queries(8):
        m = measures_for(supervisor, start, end)
    expected = plain_python(start, end)
    got = {f.name: f for f in m.mediators}
    assert set(got) == set(expected) == {"mediator", "mediator2"}
    for name, e in expected.items():
        f = got[name]
        assert f.handled == e["n"]
        assert f.success_rate == pytest.approx(e["ok"] / e["n"])
        assert f.on_time_rate == pytest.approx(e["on_time"] / e["n"])
        assert f.average_days == pytest.approx(e["days"] / e["n"])
        assert f.weighted == e["w"]
        assert f.satisfaction == pytest.approx(sum(e["s"]) / len(e["s"]))
    assert got["mediator"].handled == 3 and got["mediator"].weighted == Decimal("6")  # 1.5 + 1.5×2 + 1.5
    [studio_row] = m.groups
    assert studio_row.name == "言和调解工作室" and studio_row.handled == 1 and studio_row.satisfaction == 3.5


def test_page_export_and_api_follow_the_viewer(login, client, concluded, supervisor, mediator, outsider):
    end = timezone.localdate()
    period = {"start": (end - timedelta(days=90)).isoformat(), "end": end.isoformat()}
    login(supervisor)
    page = client.get(reverse("mediators:measures"), period).content.decode()
    assert "言和调解工作室" in page and "mediator2" in page
    export = client.get(reverse("mediators:measures_export"), period)
    sheet = load_workbook(BytesIO(b"".join(export.streaming_content))).active
    rows = {r[1]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["mediator"][2] == 3 and rows["mediator"][3] == pytest.approx(66.7)
    assert rows["言和调解工作室"][0] == "工作室/团队"
    assert client.get(reverse("mediators:measures"), {"start": "2026-13-01"}).status_code == 400
    assert client.get(reverse("api-mediator-measures"), {"start": "x"}).status_code == 400
    login(mediator)  # their own row only
    data = client.get(reverse("api-mediator-measures"), period).json()
    assert [r["name"] for r in data["mediators"]] == ["mediator"] and data["groups"] == []
    login(outsider)
    assert client.get(reverse("mediators:measures")).status_code == 404
    assert client.get(reverse("api-mediator-measures")).status_code == 404
