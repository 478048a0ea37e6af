"""The resend gap holds under concurrency (issue 13, item 7): one code per phone per gap, the first
request for a new phone included. Twenty simultaneous requests used to send two codes in 2 of 4 trials:
a lock on the phone's code rows locks nothing while there are none."""

import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from accounts import sms
from cases.models import SignInCode, SignInCodeGap
from cases.portal.services import TooManyAttempts, request_sign_in_code

PHONE = "13600004321"


@pytest.mark.django_db
def test_a_second_request_inside_the_gap_sends_nothing(
    settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.PORTAL_OTP_RESEND_SECONDS = 60
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            request_sign_in_code(phone=PHONE, request=None)
        traveller.shift(timezone.timedelta(seconds=59))
        with pytest.raises(TooManyAttempts) as refused, django_capture_on_commit_callbacks(execute=True):
            request_sign_in_code(phone=PHONE, request=None)
        assert refused.value.retry_at == start + timezone.timedelta(seconds=60)
        assert len(sms_outbox) == 1 and SignInCode.objects.count() == 1
        traveller.shift(timezone.timedelta(seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            request_sign_in_code(phone=PHONE, request=None)
    assert len(sms_outbox) == 2


@pytest.mark.django_db
def test_the_gap_is_taken_before_any_code_exists(settings, sms_outbox, django_capture_on_commit_callbacks):
    """What a concurrent first request leaves before its code row commits: the reservation alone refuses."""
    settings.PORTAL_OTP_RESEND_SECONDS = 60
    SignInCodeGap.objects.create(phone=PHONE, last_sent_at=timezone.now())
    assert not SignInCode.objects.exists()
    with pytest.raises(TooManyAttempts), django_capture_on_commit_callbacks(execute=True):
        request_sign_in_code(phone=PHONE, request=None)
    assert sms_outbox == [] and not SignInCode.objects.exists()


@pytest.mark.django_db
def test_the_gap_holds_with_a_cache_that_keeps_nothing(
    settings, sms_outbox, django_capture_on_commit_callbacks
):
    # Redis restarted empty (or every write lost): the gap lives in the database, not in the cache.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    refused = 0
    for _ in range(3):
        try:
            with django_capture_on_commit_callbacks(execute=True):
                request_sign_in_code(phone=PHONE, request=None)
        except TooManyAttempts:
            refused += 1
    assert len(sms_outbox) == 1 and refused == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("trial", range(4))
def test_twenty_simultaneous_requests_for_a_new_phone_send_one_code(settings, trial):
    settings.SMS_BACKEND = "accounts.sms.LocMemSMSBackend"
    sms.outbox.clear()
    phone = f"1360000{trial:04d}"
    barrier = threading.Barrier(20)
    results = []

    def ask():
        try:
            barrier.wait()
            request_sign_in_code(phone=phone, request=None)
            results.append("sent")
        except TooManyAttempts:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["refused"] * 19 + ["sent"]
    assert [m.phone for m in sms.outbox] == [phone]
    assert SignInCode.objects.filter(phone=phone).count() == 1
    sms.outbox.clear()
