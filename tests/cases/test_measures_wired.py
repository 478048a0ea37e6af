"""Dashboard measures fed by the other areas' records (ratings, visits, summonses, outcomes)."""

import datetime as dt

from django.utils import timezone

from cases.models import Rating
from cases.selectors_warnings import Period, dashboard_figures


def _measure(figures, key):
    return next(m for m in figures["measures"] if m["key"] == key)


def _period():
    today = timezone.localdate()
    return Period(today - dt.timedelta(days=7), today)


def test_satisfaction_rate_counts_basically_satisfied_and_better(make_case, supervisor, world, foreign_clerk):
    case = make_case()
    applicant, respondent = case.parties.all()
    Rating.objects.create(case=case, party=applicant, score=Rating.Score.VERY_SATISFIED)
    Rating.objects.create(case=case, party=respondent, score=Rating.Score.DISSATISFIED)
    elsewhere = make_case(center=world.other_county, actor=foreign_clerk)
    Rating.objects.create(case=elsewhere, party=elsewhere.parties.first(), score=Rating.Score.DISSATISFIED)
    measure = _measure(dashboard_figures(supervisor, _period()), "satisfaction_rate")
    assert measure["value"] == 50.0
    assert (measure["numerator"], measure["denominator"]) == (1, 2)
