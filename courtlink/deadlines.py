"""The judicial-confirmation window as a database timer (人民调解法 art. 33: within 30 days of the agreement
taking effect).

A row is made when an agreement takes effect (the timeline hook, in the same transaction) and by the sweep
for any effective agreement that has none (an agreement made effective before this app was installed). The
sweep (``courtlink.tasks``, Celery beat) warns once ``COURTLINK_WARN_DAYS_BEFORE`` days before the last day
and notes once when the window passed unapplied: each mark is a conditional UPDATE of a NULL column, so a
repeated or concurrent sweep changes nothing twice, and each mark writes its one timeline event.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cases.core.events import AGREEMENT_EFFECTIVE
from cases.core.models import Case, TimelineEvent
from cases.lifecycle.models import Agreement
from courtlink import events
from courtlink.models import ConfirmationDeadline
from mediation_center.transactions import entry_point


def window_dates(agreement: Agreement) -> tuple[dt.date, dt.date]:
    """The last day to apply and the day the warning is due."""
    due = agreement.confirmation_deadline
    return due, due - dt.timedelta(days=max(0, settings.COURTLINK_WARN_DAYS_BEFORE))


def ensure_window(agreement: Agreement) -> ConfirmationDeadline | None:
    """The agreement's window row (made once; None for an agreement not effective)."""
    if agreement.effective_on is None or agreement.voided:
        return None
    due, warn = window_dates(agreement)
    row, _created = ConfirmationDeadline.objects.get_or_create(
        agreement=agreement,
        defaults={
            "case_id": agreement.case_id,
            "effective_on": agreement.effective_on,
            "due_on": due,
            "warn_on": warn,
        },
    )
    return row


def on_timeline_event(case: Case, event: TimelineEvent) -> None:
    """RECORD_HOOKS: an agreement took effect, so its window starts (in the caller's transaction)."""
    if event.type != AGREEMENT_EFFECTIVE.code:
        return
    agreement = Agreement.objects.filter(pk=(event.data or {}).get("agreement"), case_id=case.pk).first()
    if agreement is not None:
        ensure_window(agreement)


@dataclass
class SweepResult:
    created: int = 0
    warned: int = 0
    lapsed: int = 0


BACKFILL_DAYS = 60  # effective agreements this recent without a row get one (older windows are long over)


@entry_point(own_transactions=True)  # each mark commits with its event, so a failure later keeps earlier ones
def sweep_confirmation_windows(*, now: dt.datetime | None = None) -> SweepResult:
    """Warn of windows about to close and note the ones that closed unapplied; safe to run twice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
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
    due_warning = ConfirmationDeadline.objects.filter(
        applied_at__isnull=True,
        warned_at__isnull=True,
        lapsed_at__isnull=True,
        warn_on__lte=today,
        due_on__gte=today,
    ).select_related("case")
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
    lapsed = ConfirmationDeadline.objects.filter(
        applied_at__isnull=True, lapsed_at__isnull=True, due_on__lt=today
    ).select_related("case")
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
