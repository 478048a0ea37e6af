"""The online demo: an agreement half signed electronically, the demo citizen still to sign."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from online.models import ElectronicSignature


@pytest.mark.django_db
def test_demo_has_a_half_signed_agreement_the_demo_citizen_can_sign(client, django_assert_max_num_queries):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    evidence = ElectronicSignature.objects.get()
    assert evidence.is_valid and evidence.party.name == "某物业公司"
    assert evidence.version.agreement.signatures.count() == 1
    citizen = User.objects.get(username="citizen")
    client.force_login(citizen, backend="django.contrib.auth.backends.ModelBackend")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("online:my_signing"))
    html = page.content.decode()
    assert page.status_code == 200 and evidence.version.agreement.case.number in html
    link = re.search(r'href="(/online/sign/[^"]+/)"', html).group(1)
    sign_page = client.get(link)
    body = sign_page.content.decode()
    assert sign_page.status_code == 200 and "确认并签字" in body, body[body.find("<main") :][:3000]


@pytest.mark.django_db
def test_demo_has_an_online_session_with_a_thread_and_one_party_confirmed(client, settings):
    from online.models import OnlineSession

    settings.DEMO_BUILDERS = ["online.demo.build_session"]
    call_command("load_demo", stdout=open("/dev/null", "w"))
    online_session = OnlineSession.objects.get()
    assert online_session.is_closed and online_session.posts.count() == 3
    states = {r.party.name: r.confirmed_at is not None for r in online_session.participants.all()}
    assert states == {"张群众": False, "某餐饮店": True}
    assert "分两次付" in online_session.session.discussion
    citizen = User.objects.get(username="citizen")
    client.force_login(citizen, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get(reverse("online:my_sessions")).content.decode()
    link = re.search(r'href="(/online/s/[^"]+/)"', html).group(1)
    page = client.get(link).content.decode()
    assert "我已阅读并确认" in page and online_session.record_sha256 in page
