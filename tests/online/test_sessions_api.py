"""The online sessions API: the same access rules as the pages (404 for who may not see, 403 for who may
only read, another party's token 404), and bad input answers 400 with a Chinese message, never 500."""

import re

import pytest
from django.urls import reverse

from online.models import OnlineSession, SessionParticipant

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture(autouse=True)
def _sms(sms_outbox):
    return sms_outbox


def _schedule(client, login, mediator, case):
    login(mediator)
    body = {
        "planned_at": "2026-12-01T10:00:00+08:00",
        "video_url": "https://meeting.example.cn/j/9",
        "parties": list(case.parties.values_list("pk", flat=True)),
    }
    response = client.post(reverse("api-online-sessions", args=[case.pk]), body, content_type=JSON)
    assert response.status_code == 201, response.content
    return OnlineSession.objects.get(pk=response.json()["id"])


def test_staff_api_allowed_read_only_and_outsider(client, login, routed_case, mediator, clerk, outsider):
    case = routed_case
    online_session = _schedule(client, login, mediator, case)
    args = [case.pk, online_session.pk]
    reads = [reverse("api-online-sessions", args=[case.pk]), reverse("api-online-session", args=args)]
    writes = {
        reverse("api-online-sessions", args=[case.pk]): {
            "planned_at": "2026-12-01T10:00:00Z",
            "video_url": "https://a.cn/x",
            "parties": [1],
        },
        reverse("api-online-session-posts", args=args): {"body": "x"},
        reverse("api-online-session-invitations", args=args): {"parties": [1]},
        reverse("api-online-session-times", args=args): {"held_from": "2026-12-01T10:00:00Z"},
        reverse("api-online-session-close", args=args): {},
    }
    login(outsider)
    for url in reads:
        assert client.get(url).status_code == 404, url
    for url, body in writes.items():
        assert client.post(url, body, content_type=JSON).status_code == 404, url
    login(clerk)
    for url in reads:
        assert client.get(url).status_code == 200, url
    for url, body in writes.items():
        assert client.post(url, body, content_type=JSON).status_code == 403, url
    login(mediator)
    assert client.delete(reads[1]).status_code == 405
    listing = client.get(reads[0]).json()
    assert [p["state"] for p in listing[0]["participants"]] == ["scheduled", "scheduled"]


def test_party_api_is_bound_to_the_party(
    client, login, routed_case, mediator, zhang, li, sms_outbox, django_capture_on_commit_callbacks
):
    case = routed_case
    online_session = _schedule(client, login, mediator, case)
    url = reverse("api-online-session-invitations", args=[case.pk, online_session.pk])
    parties = list(case.parties.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"parties": parties}, content_type=JSON).status_code == 200
    text = [m.text for m in sms_outbox if m.phone == "13800138000"][-1]
    token = re.search(r"/online/s/([^/\s]+)/", text).group(1)
    login(li)
    assert client.get(reverse("api-online-party-session", args=[token])).status_code == 404
    body = {"body": "冒充"}
    assert (
        client.post(reverse("api-online-party-posts", args=[token]), body, content_type=JSON).status_code
        == 404
    )
    login(mediator)  # staff holding a party's token: not that party either
    assert client.get(reverse("api-online-party-session", args=[token])).status_code == 404
    login(zhang)
    detail = client.get(reverse("api-online-party-session", args=[token]))
    assert detail.status_code == 200
    assert SessionParticipant.objects.get(online_session=online_session, party__name="张三").joined_at
    # Confirming before the close is refused with the reason.
    refused = client.post(
        reverse("api-online-party-confirmation", args=[token]), {"record_sha256": "a" * 64}, content_type=JSON
    )
    assert refused.status_code in (400, 409) and "尚未结束" in refused.content.decode()


def test_bad_input_answers_400(client, login, routed_case, mediator):
    case = routed_case
    online_session = _schedule(client, login, mediator, case)
    args = [case.pk, online_session.pk]
    bad = [
        (
            reverse("api-online-sessions", args=[case.pk]),
            {"planned_at": "x", "video_url": "https://a.cn", "parties": [1]},
        ),
        (
            reverse("api-online-sessions", args=[case.pk]),
            {"planned_at": "2026-12-01T10:00:00Z", "video_url": "ftp://a.cn/x", "parties": [1]},
        ),
        (
            reverse("api-online-sessions", args=[case.pk]),
            {"planned_at": "2026-12-01T10:00:00Z", "video_url": "https://a.cn/x", "parties": [10**30]},
        ),
        (reverse("api-online-session-posts", args=args), {"body": "a\x00b"}),
        (reverse("api-online-session-posts", args=args), {"body": "x", "kind": "other"}),
        (reverse("api-online-session-posts", args=args), {"body": ""}),
        (reverse("api-online-session-invitations", args=args), {"parties": [10**30]}),
        (reverse("api-online-session-times", args=args), {"held_from": "99999-01-01T00:00:00Z"}),
        (reverse("api-online-session-close", args=args), {"outcome": "x" * 17}),
        (reverse("api-online-session-close", args=args), {"outcome": "nope"}),
    ]
    for url, body in bad:
        response = client.post(url, body, content_type=JSON)
        assert 400 <= response.status_code < 500, (url, body, response.status_code)
        assert re.search(r"[\u4e00-\u9fff]", response.content.decode()), (url, body, response.content)
    response = client.post(reverse("api-online-session-posts", args=args), b"{" * 10, content_type=JSON)
    assert response.status_code == 400
    assert OnlineSession.objects.count() == 1


def test_times_far_off_and_huge_ids_answer_4xx(client, login, routed_case, mediator, zhang):
    case = routed_case
    online_session = _schedule(client, login, mediator, case)
    args = [case.pk, online_session.pk]
    parties = list(case.parties.values_list("pk", flat=True))
    for when in ("0001-01-01T00:00:00+08:00", "9999-12-31T23:59:00-08:00", "2090-01-01T00:00:00Z"):
        body = {"planned_at": when, "video_url": "https://a.cn/x", "parties": parties}
        response = client.post(reverse("api-online-sessions", args=[case.pk]), body, content_type=JSON)
        assert 400 <= response.status_code < 500, (when, response.status_code)
        response = client.post(
            reverse("api-online-session-times", args=args), {"held_from": when}, content_type=JSON
        )
        assert 400 <= response.status_code < 500, (when, response.status_code)
    # The pages' forms say the same next to the field.
    page = client.post(
        reverse("online:schedule", args=[case.pk]),
        {"planned_at": "0001-01-01T00:00", "video_url": "https://a.cn/x", "parties": parties},
        follow=True,
    )
    assert page.status_code == 200 and "前后一年" in page.content.decode()
    huge = 10**25
    assert client.get(reverse("api-online-session", args=[case.pk, huge])).status_code == 404
    assert client.get(reverse("online:staff_session", args=[case.pk, huge])).status_code == 404
    assert OnlineSession.objects.count() == 1
