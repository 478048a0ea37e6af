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
from cases.warnings.models import CaseClock
from mediators import services
from mediators.measures import measures_for
from mediators.models import DifficultyWeight
from routing import services as routing
from routing.models import CaseAssignment


@pytest.fixture
def concluded(routed_case, supervisor, mediator, mediator2, studio):
    """Eight cases worked by two mediators (one through the studio), concluded with different ends and times;
    each has its handling clock (the legal deadline) stopped at the conclusion, but one that had none."""
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
        (mediator2, "oral_agreement", 4, None, 0, [], None, 6),  # no legal deadline: not in the on-time rate
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
            due_at=None,  # as the sweep leaves it once no clock runs: the clocks say whether it was on time
            risk_level=risk,
        )
        CaseClock.objects.filter(case=case).delete()
        if late is not None:
            CaseClock.objects.create(
                case=case,
                code="handling",
                name="调解期限",
                unit="calendar_days",
                length=30,
                stop_trigger="concluded",
                started_at=concluded_at - timedelta(days=took),
                due_at=concluded_at - timedelta(days=late),
                stopped_at=concluded_at,
                stop_reason="concluded",
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
                str(lead),
                {"n": 0, "ok": 0, "timed": 0, "on_time": 0, "days": 0.0, "w": Decimal(0), "s": []},
            )
            f["n"] += 1
            f["ok"] += case.outcome in ("written_agreement", "oral_agreement")
            for clock in CaseClock.objects.filter(case=case, code="handling", stopped_at__isnull=False):
                f["timed"] += 1
                f["on_time"] += clock.stopped_at <= clock.due_at
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
        assert f.timed == e["timed"] and f.on_time_rate == pytest.approx(e["on_time"] / e["timed"])
        assert f.average_days == pytest.approx(e["days"] / e["n"])
        assert f.weighted == e["w"]
        assert f.satisfaction == pytest.approx(sum(e["s"]) / len(e["s"]))
    assert got["mediator"].handled == 3 and got["mediator"].weighted == Decimal("6")  # 1.5 + 1.5×2 + 1.5
    assert (got["mediator"].on_time, got["mediator"].timed) == (2, 3)  # the failed case was 5 days late
    # mediator2 also leads the studio's case (on time); one of theirs had no deadline.
    assert (got["mediator2"].handled, got["mediator2"].timed, got["mediator2"].on_time) == (4, 3, 2)
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


def plain_track(mediator, type_id):
    """The recommendation's track record of ``mediator`` on concluded cases of ``type_id``, case by case: every
    case they ever led counts once, its handling clock says whether it was on time, each rating counts once."""
    cases = Case.objects.filter(
        dispute_type_id=type_id,
        concluded_at__isnull=False,
        pk__in=CaseAssignment.objects.filter(mediator=mediator, is_lead=True).values("case_id"),
    )
    t = {"n": 0, "ok": 0, "timed": 0, "on_time": 0, "s": []}
    for case in cases:
        t["n"] += 1
        t["ok"] += case.outcome in ("written_agreement", "oral_agreement")
        for clock in CaseClock.objects.filter(case=case, code="handling", stopped_at__isnull=False):
            t["timed"] += 1
            t["on_time"] += clock.stopped_at <= clock.due_at
        t["s"] += [r.score for r in Rating.objects.filter(case=case)]
    return t


def test_the_recommendation_track_record_uses_the_measures_on_time_rule(
    concluded, routed_case, supervisor, mediator, mediator2, make_profile
):
    from mediators.ranking import recommend_mediators

    # A second lead assignment of the same case (ended, then given again) counts the case and its ratings
    # once, as the measures do.
    again = routed_case()
    routing.claim_case(again, actor=mediator)
    CaseAssignment.objects.filter(case=again).update(ended_at=timezone.now())
    CaseAssignment.objects.create(case=again, mediator=mediator, is_lead=True, how="assign")
    Case.objects.filter(pk=again.pk).update(
        status="concluded", outcome="failed", concluded_at=timezone.now() - timedelta(days=1)
    )
    Rating.objects.create(case=again, party=again.parties.first(), score=1)
    for user in (mediator, mediator2):
        if not hasattr(user, "mediator_profile"):
            make_profile(user, types=["labour"])
    case = routed_case()
    ranked = {c.user: c for c in recommend_mediators(case, limit=10)}
    for user in (mediator, mediator2):
        e, track = plain_track(user, case.dispute_type_id), ranked[user].track
        assert (track.similar, track.resolved, track.timed, track.on_time) == (
            e["n"],
            e["ok"],
            e["timed"],
            e["on_time"],
        )
        assert track.rating == pytest.approx(sum(e["s"]) / len(e["s"]))
        success, on_time = round(e["ok"] / e["n"] * 100), round(e["on_time"] / e["timed"] * 100)
        assert f"同类（劳动争议）案件{e['n']}件，化解率{success}%，按期率{on_time}%" in ranked[user].reasons
    # Over the same cases (each led by one mediator, all of one type, within the period) both say the same.
    end = timezone.localdate()
    figures = {f.key: f for f in measures_for(supervisor, end - timedelta(days=90), end).mediators}
    track = ranked[mediator2].track
    assert (figures[mediator2.pk].on_time, figures[mediator2.pk].timed) == (track.on_time, track.timed)


def test_a_case_concluded_after_its_deadline_counts_late_though_the_sweep_cleared_due_at(
    routed_case, supervisor, mediator, make_profile
):
    from cases.lifecycle.services import conclude_case
    from mediators.ranking import recommend_mediators

    make_profile(mediator, types=["labour"])
    case = routed_case()
    routing.claim_case(case, actor=mediator)
    CaseClock.objects.filter(case=case, code="handling").update(due_at=timezone.now() - timedelta(days=1))
    conclude_case(case, actor=mediator, outcome="refused", reason="申请人拒绝调解")
    case.refresh_from_db()
    assert case.due_at is None  # what the old rule read as "no deadline, on time"
    end = timezone.localdate()
    [f] = measures_for(supervisor, end, end).mediators
    assert (f.handled, f.timed, f.on_time) == (1, 1, 0)
    [best] = recommend_mediators(routed_case())
    assert "同类（劳动争议）案件1件，化解率0%，按期率0%" in best.reasons
