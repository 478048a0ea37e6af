"""Generated windows for the sweep tests, and the sweep as it was before session 9 (one row at a time), kept
here as the reference the set-based sweep is compared with."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from cases.lifecycle.models import Agreement
from courtlink import events
from courtlink.deadlines import BACKFILL_DAYS, SweepResult, ensure_window
from courtlink.models import ConfirmationDeadline

ZONE = ZoneInfo(settings.TIME_ZONE)
NOW = dt.datetime(2026, 5, 8, 10, 0, tzinfo=ZONE)  # a Friday after the May holidays: some last days move
LATER = NOW + dt.timedelta(days=6)  # warned windows have closed by then, others are due a warning


def make_windows(make_case, *, cases: int = 16, seed: int = 9) -> list[Agreement]:
    """Agreements of every kind the sweep meets, the same for the same seed: effective 0–100 days before
    ``NOW`` (some voided), with no window (to backfill, or too old), or a window not yet due, due a warning,
    warned, applied, due to lapse, lapsed. Some cases have two agreements (their events in one timeline)."""
    rng = random.Random(seed)
    made = []
    # the first few fixed: windows due a warning only at LATER, due one now, lapsing now and at LATER
    first_days = [22, 21, 27, 33, 45]
    for n in range(cases):
        case = make_case()
        for _second in range(2 if n % 4 == 0 else 1):
            voided = rng.random() < 0.1
            agreement = Agreement.objects.create(
                case=case,
                facts="李四拖欠张三工资。",
                issues="欠薪数额。",
                responsibilities="李四应承担支付责任。",
                effective_on=NOW.date()
                - dt.timedelta(days=first_days.pop(0) if first_days else rng.randint(0, 100)),
                voided=voided,
            )
            made.append(agreement)
            if voided or rng.random() < 0.3:
                continue  # no window: the sweep's backfill makes it (if recent and not voided)
            row = ensure_window(agreement)
            today = NOW.date()
            marks = {}
            if rng.random() < 0.15:
                marks["applied_at"] = NOW - dt.timedelta(days=1)
            if row.warn_on <= today and rng.random() < 0.4:
                marks["warned_at"] = NOW - dt.timedelta(days=1)
            if row.due_on < today and rng.random() < 0.4:
                marks["lapsed_at"] = NOW - dt.timedelta(hours=1)
            if marks:
                ConfirmationDeadline.objects.filter(pk=row.pk).update(**marks)
    return made


def per_row_sweep(*, now: dt.datetime) -> SweepResult:
    """``courtlink.deadlines.sweep_confirmation_windows`` as it was before session 9, one row at a time: a
    transaction, a conditional UPDATE and ``EventType.record`` per row. Unchanged but for the order of the
    windows, which was the plan's (none asked for) and is theirs ``pk`` here, as in the set-based form."""
    today = now.astimezone(ZONE).date()
    result = SweepResult()
    missing = Agreement.objects.filter(
        effective_on__gte=today - dt.timedelta(days=settings.JUDICIAL_CONFIRMATION_DAYS + BACKFILL_DAYS),
        voided=False,
        confirmation_window__isnull=True,
    )
    for agreement in missing[:500]:
        with transaction.atomic():
            before = ConfirmationDeadline.objects.filter(agreement=agreement).exists()
            if ensure_window(agreement) is not None and not before:
                result.created += 1
    due_warning = (
        ConfirmationDeadline.objects.filter(
            applied_at__isnull=True,
            warned_at__isnull=True,
            lapsed_at__isnull=True,
            warn_on__lte=today,
            due_on__gte=today,
        )
        .select_related("case")
        .order_by("pk")
    )
    for row in due_warning[:500]:
        with transaction.atomic():
            if ConfirmationDeadline.objects.filter(
                pk=row.pk, applied_at__isnull=True, warned_at__isnull=True
            ).update(warned_at=now):
                result.warned += 1
                events.DEADLINE_WARNED.record(
                    row.case,
                    actor=None,
                    data={
                        "agreement": row.agreement_id,
                        "due_on": row.due_on.isoformat(),
                        "days_left": (row.due_on - today).days,
                        "reason": "sweep",
                    },
                )
    lapsed = (
        ConfirmationDeadline.objects.filter(applied_at__isnull=True, lapsed_at__isnull=True, due_on__lt=today)
        .select_related("case")
        .order_by("pk")
    )
    for row in lapsed[:500]:
        with transaction.atomic():
            if ConfirmationDeadline.objects.filter(
                pk=row.pk, applied_at__isnull=True, lapsed_at__isnull=True
            ).update(lapsed_at=now):
                result.lapsed += 1
                events.DEADLINE_LAPSED.record(
                    row.case,
                    actor=None,
                    data={"agreement": row.agreement_id, "due_on": row.due_on.isoformat(), "reason": "sweep"},
                )
    return result
