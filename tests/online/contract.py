"""The online sessions part of the schema walk (tests/api/test_schema_contract.py calls it): every session
endpoint, staff and party side, called as a user allowed to, answers what the schema documents."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from online.access import session_link_token
from online.models import OnlineSession
from tests.factories import UserFactory

JSON = "application/json"


def exercise_sessions_api(api, client, login, mediator, case) -> dict:
    """Schedule, invite, post, answer, record the times, close and confirm a session of ``case`` (whose
    applicant is 张三, 13800138000); returns the final detail."""
    parties = list(case.parties.values_list("pk", flat=True))
    login(mediator)
    body = {
        "planned_at": (timezone.now() + timedelta(hours=1)).isoformat(),
        "video_url": "https://meeting.example.cn/j/1",
        "parties": parties,
    }
    created = api.check(
        client.post(reverse("api-online-sessions", args=[case.pk]), body, content_type=JSON), 201
    )
    args = [case.pk, created["id"]]
    api.check(client.get(reverse("api-online-sessions", args=[case.pk])), 200)
    api.check(client.get(reverse("api-online-session", args=args)), 200)
    url = reverse("api-online-session-invitations", args=args)
    api.check(client.post(url, {"parties": parties}, content_type=JSON), 200)
    url = reverse("api-online-session-posts", args=args)
    proposal = api.check(
        client.post(url, {"body": "分两期支付。", "kind": "proposal"}, content_type=JSON), 201
    )
    proposal_id = proposal["posts"][-1]["id"]

    citizen = User.objects.filter(phone="13800138000", kind=User.Kind.CITIZEN).first() or UserFactory(
        username="api-zhang", kind=User.Kind.CITIZEN, phone="13800138000"
    )
    # The SMS goes out on commit, which a test's transaction never reaches: the same link, made directly.
    token = session_link_token(
        OnlineSession.objects.get(pk=created["id"]), case.parties.get(phone="13800138000")
    )
    login(citizen)
    api.check(client.get(reverse("api-online-party-session", args=[token])), 200)
    upload = SimpleUploadedFile("证据.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    api.check(
        client.post(reverse("api-online-party-posts", args=[token]), {"body": "同意。", "file": upload}), 201
    )
    body = {"post": proposal_id, "answer": "agree"}
    api.check(client.post(reverse("api-online-party-answers", args=[token]), body, content_type=JSON), 200)

    login(mediator)
    body = {"held_from": (timezone.now() - timedelta(minutes=20)).isoformat()}
    api.check(client.post(reverse("api-online-session-times", args=args), body, content_type=JSON), 200)
    closed = api.check(
        client.post(reverse("api-online-session-close", args=args), {"outcome": "agreed"}, content_type=JSON),
        200,
    )
    login(citizen)
    body = {"record_sha256": closed["record_sha256"]}
    api.check(
        client.post(reverse("api-online-party-confirmation", args=[token]), body, content_type=JSON), 200
    )
    login(mediator)
    return api.check(client.get(reverse("api-online-session", args=args)), 200)
