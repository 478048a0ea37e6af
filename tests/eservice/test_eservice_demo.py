"""The e-service demo: one document served and opened, one sent and not opened, one served on paper."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from eservice.models import DocumentService


@pytest.mark.django_db
def test_demo_has_opened_unopened_and_paper_services(client, settings, django_capture_on_commit_callbacks):
    settings.DEMO_BUILDERS = ["eservice.demo.build"]
    with django_capture_on_commit_callbacks(execute=True):  # the SMS leaves after each service's commit
        call_command("load_demo", stdout=open("/dev/null", "w"))
    states = sorted((s.method, s.state) for s in DocumentService.objects.all())
    assert states == [("direct", "served"), ("electronic", "delivered"), ("electronic", "served")]
    opened = DocumentService.objects.get(opened_at__isnull=False)
    assert opened.party.phone == "13800138000"
    client.force_login(
        User.objects.get(username="mediator"), backend="django.contrib.auth.backends.ModelBackend"
    )
    board = client.get(reverse("eservice:board", args=[opened.case_id])).content.decode()
    assert "已送达" in board and "短信已发出，待打开" in board
    client.force_login(
        User.objects.get(username="citizen"), backend="django.contrib.auth.backends.ModelBackend"
    )
    assert "已同意电子送达" in client.get(reverse("eservice_portal:mine")).content.decode()
