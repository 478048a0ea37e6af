"""The benchmark's data: the generator's cases plus a few planted surges; the detection finds exactly the
planted ones and flags no ordinary cell of the generated weeks."""

import pytest

from bench.generate.risk import plant_surges
from cases.management.commands.generate_data import generate
from risk.models import RiskSignal
from risk.services import detect_risks

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_planted_surges_are_found_and_ordinary_weeks_are_not_flagged():
    generate(2000, counties=2, towns=3, villages=4, chunk_size=500, seed=11, log=lambda message: None)
    planted = plant_surges(count=3, per_surge=12)
    assert len(planted) == 3
    detect_risks()
    flagged = {(s.center_id, s.dispute_type_id) for s in RiskSignal.objects.filter(kind="cell")}
    assert flagged == planted
    assert plant_surges() == planted  # a second call plants nothing more
