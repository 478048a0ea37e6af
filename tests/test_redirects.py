"""No open redirects: every ``next`` (and the referer a form is sent back to) stays on this site.

Each place that reads one is attacked with the same hostile targets and must land on its own default page;
a same-site path is still honoured, so the tests would fail if the parameter were simply ignored.
"""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from mediation_center.redirects import is_safe_target, safe_next

HOSTILE = [
    "https://evil.example",
    "http://evil.example/cases/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "https:/evil.example",
    "javascript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
    "\t//evil.example",
    "http://testserver@evil.example/",
]


def _location(response) -> str:
    assert response.status_code == 302, response.status_code
    return response["Location"]


@pytest.mark.parametrize("target", HOSTILE)
def test_the_helper_refuses_other_sites_and_schemes(rf: RequestFactory, target):
    request = rf.post("/", {"next": target})
    assert not is_safe_target(request, target)
    assert safe_next(request, "/home/") == "/home/"


def test_the_helper_keeps_same_site_targets_and_needs_https_on_a_secure_request(rf: RequestFactory):
    plain = rf.get("/", {"next": "/cases/intake/?status=registered"})
    assert safe_next(plain, "/home/") == "/cases/intake/?status=registered"
    assert (
        safe_next(rf.get("/", {"next": "http://testserver/cases/"}), "/home/") == "http://testserver/cases/"
    )
    secure = rf.get("/", {"next": "http://testserver/cases/"}, secure=True)
    assert safe_next(secure, "/home/") == "/home/"  # no downgrade to plain HTTP
    assert safe_next(rf.get("/", {"next": "https://testserver/cases/"}, secure=True), "/h/") == (
        "https://testserver/cases/"
    )
    assert safe_next(rf.get("/"), "/home/") == "/home/"


# --- the staff pages -----------------------------------------------------------------------------


def _upload():
    return SimpleUploadedFile("证据.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")


@pytest.mark.parametrize("target", HOSTILE)
def test_attachment_upload(login, clerk, make_case, target):
    case = make_case()
    client = login(clerk)
    url = reverse("cases:attachment-upload", args=[case.pk])
    detail = reverse("cases:detail", args=[case.pk])
    assert _location(client.post(url, {"files": [_upload()], "next": target})) == detail
    assert case.attachments.count() == 1
    assert _location(client.post(url, {"next": target})) == detail  # a refused upload too


def test_attachment_upload_keeps_a_same_site_next(login, clerk, make_case):
    case = make_case()
    url = reverse("cases:attachment-upload", args=[case.pk])
    back = reverse("cases:intake-registered", args=[case.pk])
    assert _location(login(clerk).post(url, {"files": [_upload()], "next": back})) == back


@pytest.mark.parametrize("target", HOSTILE)
def test_link_as_repeat_or_merge(login, clerk, make_case, target):
    earlier, new = make_case(), make_case()
    client = login(clerk)
    url = reverse("cases:intake-link", args=[new.pk])
    response = client.post(url, {"other": earlier.pk, "action": "repeat", "next": target})
    assert _location(response) == reverse("cases:intake-registered", args=[new.pk])
    new.refresh_from_db()
    assert new.repeat_of == earlier
    refused = client.post(url, {"other": earlier.pk, "action": "neither", "next": target})
    assert _location(refused) == reverse("cases:intake-registered", args=[new.pk])


def test_link_keeps_a_same_site_next(login, clerk, make_case):
    earlier, new = make_case(), make_case()
    response = login(clerk).post(
        reverse("cases:intake-link", args=[new.pk]),
        {"other": earlier.pk, "action": "repeat", "next": "/cases/"},
    )
    assert _location(response) == "/cases/"


@pytest.mark.parametrize("target", HOSTILE)
def test_staff_login(client, clerk, password, target):
    url = reverse("accounts:login")
    assert _next_fields(client.get(url, {"next": target})) == {""}
    response = client.post(url + "?" + _qs(target), {"username": "clerk", "password": password})
    assert _location(response) == reverse("accounts:home")
    client.logout()
    response = client.post(url, {"username": "clerk", "password": password, "next": target})
    assert _location(response) == reverse("accounts:home")


def test_staff_login_keeps_a_same_site_next_and_refuses_plain_http_when_secure(client, clerk, password):
    url = reverse("accounts:login")
    response = client.post(url, {"username": "clerk", "password": password, "next": "/cases/intake/"})
    assert _location(response) == "/cases/intake/"
    client.logout()
    response = client.post(
        url, {"username": "clerk", "password": password, "next": "http://testserver/cases/"}, secure=True
    )
    assert _location(response) == reverse("accounts:home")


@pytest.mark.parametrize("target", HOSTILE[:4])
def test_staff_logout(login, clerk, target):
    response = login(clerk).post(reverse("accounts:logout"), {"next": target})
    assert _location(response) == reverse("accounts:login")


@pytest.mark.parametrize("target", HOSTILE[:4])
def test_language_switch(login, clerk, target):
    """Django's own view; the form in base.html sends ``next``."""
    response = login(clerk).post(reverse("set_language"), {"language": "en", "next": target})
    assert "evil.example" not in response["Location"]


def test_idle_logout_sends_the_path_back_as_one_encoded_parameter(client, clerk, password, settings):
    """``?next=<path>`` was pasted in raw: a path carrying ``&next=https://evil.example`` added a second one."""
    import time_machine
    from django.utils import timezone

    settings.SESSION_IDLE_TIMEOUT = 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert _location(client.post(reverse("accounts:login"), {"username": "clerk", "password": password}))
        assert client.get(reverse("accounts:home")).status_code == 200
    path = "/cases/x&next=https://evil.example"
    with time_machine.travel(start + timezone.timedelta(minutes=5), tick=False):
        response = client.get(path)
    location = _location(response)
    assert parse_qs(urlsplit(location).query) == {"next": [path]}


def _next_fields(response) -> set[str]:
    """The ``next`` the page's own forms carry back (the language switch's, the page itself, left out)."""
    values = {html.unescape(v) for v in re.findall(r'name="next" value="([^"]*)"', response.content.decode())}
    return values - {response.wsgi_request.get_full_path()}


def _qs(target: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"next": target})


# --- the citizen portal --------------------------------------------------------------------------


@pytest.fixture
def sms_outbox(settings):
    from accounts import sms

    settings.SMS_BACKEND = "accounts.sms.LocMemSMSBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.mark.parametrize("target", HOSTILE)
def test_portal_sign_in(client, world, sms_outbox, django_capture_on_commit_callbacks, target):
    url = reverse("portal:sign_in")
    assert _next_fields(client.get(url, {"next": target})) == {reverse("portal:my_cases")}
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            url + "?" + _qs(target), {"action": "send", "phone": "13600001234", "next": target}
        )
    assert _next_fields(sent) == {reverse("portal:my_cases")}
    code = re.search(r"验证码为 (\d{6})", sms_outbox[-1].text).group(1)
    response = client.post(url, {"action": "verify", "phone": "13600001234", "code": code, "next": target})
    assert _location(response) == reverse("portal:my_cases")


@pytest.mark.parametrize("target", HOSTILE[:4])
def test_portal_booking_sent_back_to_a_foreign_referer(client, world, target):
    citizen = User.objects.create(username="citizen_r", kind=User.Kind.CITIZEN, phone="13800138000")
    client.force_login(citizen, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("portal:book"), {"slot": "x"}, HTTP_REFERER=target)
    assert _location(response) == reverse("portal:appointments")
    back = "/portal/appointments/?date=2026-12-07"
    response = client.post(reverse("portal:book"), {"slot": "x"}, HTTP_REFERER=f"http://testserver{back}")
    assert _location(response) == f"http://testserver{back}"
