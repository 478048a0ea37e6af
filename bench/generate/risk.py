"""Planted surges for 研判预警's benchmark: a few towns get a burst of one dispute type in the last days,
so the nightly detection has something real to find among the generated cases (bench/ops_risk.py)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Center
from cases.core.models import Case, DisputeType, Party

MARK = "研判基准：计划中的激增"  # the planted cases' summary, so a second call plants nothing


def planted_cells() -> set[tuple[int, int]]:
    """(town, dispute type) of every planted surge already in the database."""
    rows = Case.objects.filter(summary=MARK).values_list("center__path", "dispute_type_id").distinct()
    return {(int(path.strip("/").split("/")[1]), type_id) for path, type_id in rows}


def plant_surges(count: int = 3, per_surge: int = 15, *, seed: int = 21, now: dt.datetime | None = None):
    """``count`` towns × one dispute type each get ``per_surge`` open cases over the last five days."""
    if Case.objects.filter(summary=MARK).exists():
        return planted_cells()
    now = now or timezone.now()
    rng = random.Random(seed)
    towns = list(Center.objects.filter(level=Center.Level.TOWN).order_by("pk").values_list("pk", flat=True))
    types = list(DisputeType.objects.filter(active=True).order_by("pk"))
    chosen = rng.sample(towns, min(count, len(towns)))
    with transaction.atomic():
        serial = (Case.objects.aggregate(m=Max("serial"))["m"] or 0) + 1_000_000
        cases = []
        for town_id in chosen:
            dispute_type = rng.choice(types)
            for i in range(per_surge):
                serial += 1
                cases.append(
                    Case(
                        number=f"(2026)研判基准字第{serial}号",
                        year=2026,
                        serial=serial,
                        tracking_code=f"RB{serial:012d}",
                        origin_center_id=town_id,
                        center_id=town_id,
                        dispute_type=dispute_type,
                        summary=MARK,
                        status="registered",
                        people_count=1 + i % 4,
                    )
                )
        made = Case.objects.bulk_create(cases)
        for i, case in enumerate(made):
            case.created_at = now - dt.timedelta(hours=2 + (i * 7) % 110)
        Case.objects.bulk_update(made, ["created_at"])
        Party.objects.bulk_create(
            [Party(case=c, role=Party.Role.APPLICANT, name="基准申请人", phone="13800138000") for c in made]
        )
    return planted_cells()
