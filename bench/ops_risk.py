"""研判预警's benchmark operations: the nightly detection over the whole database, and the 研判 page for a
county supervisor. The first use plants a few surges (bench/generate/risk.py) and checks they are found."""

from django.urls import reverse

from bench.run import Env, operation, page


@operation("risk.detection_run", target_ms=60_000, repeat=3, warmup=1, writes=True)
def risk_detection_run(env: Env):
    from bench.generate.risk import plant_surges
    from risk.models import RiskSignal
    from risk.services import detect_risks

    planted = plant_surges()
    detect_risks()
    found = {
        (s.center_id, s.dispute_type_id)
        for s in RiskSignal.objects.filter(kind="cell").exclude(state="closed")
    }
    missing = planted - found
    if missing:
        raise AssertionError(f"risk.detection_run: planted surges not found: {sorted(missing)}")
    print(f"  risk: {len(planted)} planted surges found; {len(found - planted)} other cells flagged")
    return lambda: detect_risks()


page("risk.board.county", "supervisor", lambda env: reverse("risk:board"), target_ms=300)
page("risk.api.signals", "supervisor", lambda env: reverse("api-risk-signal-list"))
