"""The court hand-off's demo: one package confirmed, one submitted near its deadline (warned first), one
failed mediation referred to litigation; the demo citizen sees them in the portal."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cases.core.models import TimelineEvent
from courtlink import events
from courtlink.models import Handoff
from courtlink.package import package_zip, verify_package


@pytest.mark.django_db
def test_demo_has_a_confirmed_a_near_deadline_and_a_litigation_handoff(client, django_assert_max_num_queries):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    confirmed = Handoff.objects.get(status="confirmed")
    assert confirmed.court_reference and confirmed.decided_on
    near = Handoff.objects.get(kind="confirmation", status="submitted")
    assert 0 <= (near.agreement.confirmation_deadline - timezone.localdate()).days <= 5
    assert TimelineEvent.objects.filter(case=near.case, type=events.DEADLINE_WARNED.code).count() == 1
    litigation = Handoff.objects.get(kind="litigation")
    assert litigation.route == "litigation" and litigation.notice_id
    assert verify_package(package_zip(litigation)) == []
    citizen = User.objects.get(username="citizen")
    client.force_login(citizen, backend="django.contrib.auth.backends.ModelBackend")
    with django_assert_max_num_queries(20):  # fixed: the citizen has many demo cases
        page = client.get(reverse("courtlink:mine"))
    html = page.content.decode()
    assert page.status_code == 200
    assert all(h.case.number in html for h in (confirmed, near, litigation))
    assert "已裁定确认" in html
