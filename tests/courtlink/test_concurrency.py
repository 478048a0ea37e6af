"""Concurrent sweeps and repeated court pushes at the same moment (PostgreSQL, separate connections): each
warning, and each court step, is recorded once."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import TimelineEvent
from courtlink import events, services
from courtlink.deadlines import sweep_confirmation_windows
from courtlink.models import ConfirmationDeadline, Handoff
from courtlink.package import assemble
from records.integrity import verify
from tests.courtlink.sweep_support import NOW, make_windows

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(work, n=3):
    barrier = threading.Barrier(n)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(work())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _unused in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_sweeps_warn_once(concluded_case):
    ConfirmationDeadline.objects.filter(case=concluded_case).update(warn_on=timezone.localdate())
    results = _at_once(sweep_confirmation_windows)
    assert sorted(r.warned for r in results) == [0, 0, 1]
    assert TimelineEvent.objects.filter(case=concluded_case, type=events.DEADLINE_WARNED.code).count() == 1


def test_concurrent_set_based_sweeps_mark_each_window_once(make_case):
    """Three sweeps at once over a backlog, in batches of two (``FOR UPDATE SKIP LOCKED``: each takes rows the
    others do not hold; the conditional UPDATE is the second guard): every window is made, warned and lapsed
    once, by one of them, with one event each, and the timelines' seals still chain."""
    made = make_windows(make_case, cases=16)
    windows = ConfirmationDeadline.objects.filter(agreement__in=made)
    before = windows.count()
    results = _at_once(lambda: sweep_confirmation_windows(now=NOW, batch_size=2))
    assert sum(r.created for r in results) == windows.count() - before > 0
    assert sum(r.warned for r in results) == windows.filter(warned_at=NOW).count() > 0
    assert sum(r.lapsed for r in results) == windows.filter(lapsed_at=NOW).count() > 0
    for row in windows:
        for mark, event in (("warned_at", events.DEADLINE_WARNED), ("lapsed_at", events.DEADLINE_LAPSED)):
            written = TimelineEvent.objects.filter(
                case_id=row.case_id, type=event.code, data__agreement=row.agreement_id
            )
            assert written.count() == (getattr(row, mark) == NOW)
    again = sweep_confirmation_windows(now=NOW)
    assert (again.created, again.warned, again.lapsed) == (0, 0, 0)
    assert verify().ok


def test_the_same_court_push_at_once_is_recorded_once(concluded_case, mediator, court):
    assembled = assemble(concluded_case, kind="confirmation", route="judicial_confirmation")
    handoff = services.prepare_handoff(concluded_case, actor=mediator, assembled=assembled)
    services.record_court_progress(handoff, actor=mediator, to="submitted")
    system, _token = court

    def push():
        return services.receive_court_update(
            Handoff.objects.get(pk=handoff.pk),
            system=system.user,
            to="accepted",
            court_reference="(2026)测1号",
        )[1]

    assert sorted(_at_once(push)) == [False, False, True]
    assert TimelineEvent.objects.filter(case=concluded_case, type=events.PACKAGE_ACCEPTED.code).count() == 1
