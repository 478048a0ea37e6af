"""On PostgreSQL, with threads and separate connections: two sweeps at once flag each unopened service once,
and two first openings at once record one moment of service and one event."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import TimelineEvent
from eservice import services
from eservice.models import DocumentService, ServiceConsent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _twice(work):
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(work())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _unused in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _served(case, mediator, settings):
    settings.SMS_BACKEND = "accounts.sms.LocMemSMSBackend"
    party = case.parties.get(name="张三")
    services.give_consent(case, party=party, actor=mediator, method=ServiceConsent.Method.COUNTER)
    pdf = services.render_for_service(case, "receipt")
    return services.serve_electronically(case, party=party, kind="receipt", actor=mediator, pdf=pdf)


def test_concurrent_sweeps_flag_once(mediating_case, mediator, settings):
    service = _served(mediating_case, mediator, settings)
    later = timezone.now() + timedelta(days=settings.ESERVICE_UNOPENED_DAYS + 1)
    assert sorted(_twice(lambda: services.flag_unopened_services(now=later))) == [0, 1]
    assert TimelineEvent.objects.filter(case=mediating_case, type="eservice_unopened").count() == 1
    assert DocumentService.objects.get(pk=service.pk).unopened_flagged_at == later


def test_concurrent_first_openings_record_one_moment(mediating_case, mediator, zhang, settings):
    service = _served(mediating_case, mediator, settings)
    results = _twice(lambda: services.record_opening(service, citizen=zhang)[1])
    assert sorted(results) == [False, True]
    assert TimelineEvent.objects.filter(case=mediating_case, type="eservice_opened").count() == 1
