"""Two people acting on the same case at once: the row lock lets exactly one through."""

import threading

import pytest
from django.db import connection

from cases.lifecycle import services
from cases.models import FollowUpVisit, TimelineEvent
from mediation_center.errors import DomainError
from tests.cases.lifecycle_helpers import *  # noqa: F403

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_follow_up_visit_is_recorded_once(closed_case, mediator, supervisor):
    visit = closed_case.follow_ups.get(reason="after_closing")
    barrier = threading.Barrier(2)
    results = []

    def record(actor, satisfaction):
        try:
            barrier.wait()
            services.record_follow_up(
                visit, actor=actor, method="phone", performance="performing", satisfaction=satisfaction
            )
            results.append("ok")
        except DomainError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=args) for args in ((mediator, 5), (supervisor, 3))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    assert FollowUpVisit.objects.get(pk=visit.pk).visited_at is not None
    assert TimelineEvent.objects.filter(case=closed_case, type="follow_up_recorded").count() == 1


def test_concurrent_reopen_and_visit_reopen_reopen_once(closed_case, mediator, supervisor):
    visit = closed_case.follow_ups.get(reason="after_closing")
    barrier = threading.Barrier(2)
    results = []

    def by_supervisor():
        try:
            barrier.wait()
            services.reopen_case(closed_case, actor=supervisor, reason="当事人申请")
            results.append("ok")
        except DomainError:
            results.append("refused")
        finally:
            connection.close()

    def by_visit():
        try:
            barrier.wait()
            services.record_follow_up(
                visit,
                actor=mediator,
                method="phone",
                performance="broken",
                satisfaction=1,
                reopen=True,
                reopen_reason="未付款",
            )
            results.append("ok")
        except DomainError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=by_supervisor), threading.Thread(target=by_visit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    reopens = TimelineEvent.objects.filter(case=closed_case, type__in=["reopened", "follow_up_reopened"])
    assert reopens.count() == 1
