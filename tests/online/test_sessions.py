"""Online mediation sessions: the mediator schedules and invites, the party enters through a link bound to them,
the thread keeps messages, files and proposals with 同意/不同意, staff record when it took place, closing turns
the thread into the session record and each party confirms it (我已阅读并确认) with its SHA-256."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityAuditEvent
from cases.lifecycle.models import MediationSession
from cases.models import Case, Status, TimelineEvent
from cases.portal.models import CaseMessage
from online import session_services as services
from online.models import OnlineSession, ProposalAnswer, SessionParticipant, SessionPost

pytestmark = pytest.mark.django_db
capture = None


@pytest.fixture(autouse=True)
def _capture(django_capture_on_commit_callbacks):
    global capture
    capture = django_capture_on_commit_callbacks


def session_link(outbox, phone: str) -> str:
    text = [m.text for m in outbox if m.phone == phone and "/online/s/" in m.text][-1]
    return re.search(r"(/online/s/[^/\s]+/)", text).group(1)


def _schedule(client, login, mediator, case) -> OnlineSession:
    login(mediator)
    planned = timezone.localtime() + timedelta(hours=1)
    response = client.post(
        reverse("online:schedule", args=[case.pk]),
        {
            "planned_at": planned.strftime("%Y-%m-%dT%H:%M"),
            "video_url": "https://meeting.example.cn/j/123456",
            "parties": [p.pk for p in case.parties.all()],
        },
    )
    assert response.status_code == 302, response.content.decode()
    online_session = OnlineSession.objects.get(session__case=case)
    assert response["Location"] == reverse("online:staff_session", args=[case.pk, online_session.pk])
    return online_session


def _invite(client, case, online_session):
    with capture(execute=True):
        response = client.post(
            reverse("online:staff_invite", args=[case.pk, online_session.pk]),
            {"parties": [p.pk for p in case.parties.all()]},
        )
    assert response.status_code == 302


def _staff_url(name, case, online_session):
    return reverse(f"online:{name}", args=[case.pk, online_session.pk])


def test_a_session_from_schedule_to_every_party_confirming(
    client, login, routed_case, mediator, zhang, li, sms_outbox
):
    case = routed_case
    online_session = _schedule(client, login, mediator, case)
    session = online_session.session
    assert session.mode == MediationSession.Mode.ONLINE and session.place.startswith("https://meeting.")
    assert SessionParticipant.objects.filter(online_session=online_session).count() == 2

    _invite(client, case, online_session)
    assert {m.phone for m in sms_outbox} == {"13800138000", "13912345678"}
    zhang_link = session_link(sms_outbox, "13800138000")
    li_link = session_link(sms_outbox, "13912345678")
    assert zhang_link != li_link

    # 张三 opens the link: recorded as joined, once.
    login(zhang)
    page = client.get(zhang_link)
    assert page.status_code == 200
    assert "进入视频会议" in page.content.decode()
    client.get(zhang_link)
    row = SessionParticipant.objects.get(online_session=online_session, party__name="张三")
    assert row.joined_at is not None and row.invited_at is not None
    assert TimelineEvent.objects.filter(case=case, type="online_session_joined").count() == 1

    # A message with a file, through the conversation's upload checks.
    upload = SimpleUploadedFile("欠条.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    response = client.post(zhang_link + "post/", {"body": "公司欠我三个月工资。", "file": upload})
    assert response.status_code == 302
    post = SessionPost.objects.get(online_session=online_session)
    assert post.party.name == "张三" and post.message.attachment.original_name == "欠条.pdf"
    assert post.message.case_id == case.pk  # the thread is the case conversation, tagged with the session

    # The mediator proposes; both parties answer.
    login(mediator)
    response = client.post(
        _staff_url("staff_post", case, online_session),
        {"body": "李四分两期支付三万元。", "kind": "proposal"},
    )
    assert response.status_code == 302
    proposal = SessionPost.objects.get(kind="proposal")
    login(zhang)
    assert client.post(zhang_link + f"answer/{proposal.pk}/", {"answer": "agree"}).status_code == 302
    login(li)
    client.get(li_link)
    assert client.post(li_link + f"answer/{proposal.pk}/", {"answer": "disagree"}).status_code == 302
    assert client.post(li_link + f"answer/{proposal.pk}/", {"answer": "agree"}).status_code == 302
    assert ProposalAnswer.objects.get(post=proposal, party__name="李四").answer == "agree"
    # A party may not propose: the kind is ignored on the party's form, and the service refuses it anyway.
    with pytest.raises(Exception, match="当事人只能"):
        services.post_to_session(
            online_session,
            actor=li,
            party=proposal.answers.get(party__name="李四").party,
            body="x",
            kind="proposal",
        )

    # Staff record when it took place, then close it.
    login(mediator)
    start = timezone.localtime() - timedelta(minutes=30)
    response = client.post(
        _staff_url("staff_times", case, online_session), {"held_from": start.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == Status.IN_MEDIATION
    sms_outbox.clear()
    with capture(execute=True):
        response = client.post(_staff_url("staff_close", case, online_session), {"outcome": "agreed"})
    assert response.status_code == 302
    online_session.refresh_from_db()
    session.refresh_from_db()
    assert online_session.is_closed and online_session.held_until is not None
    assert "公司欠我三个月工资。" in session.discussion and "欠条.pdf" in session.discussion
    assert "李四分两期支付三万元。" in session.result and "张三：同意" in session.result
    assert session.outcome == "agreed"
    assert hashlib.sha256(online_session.record_text.encode()).hexdigest() == online_session.record_sha256
    assert {m.phone for m in sms_outbox} == {"13800138000", "13912345678"}  # 请确认笔录

    # Posting after the close is refused.
    login(zhang)
    refused = client.post(zhang_link + "post/", {"body": "还有一句"})
    assert refused.status_code == 400 and "已结束" in refused.content.decode()

    # 张三 confirms the record he saw.
    page = client.get(zhang_link).content.decode()
    assert online_session.record_sha256 in page and "我已阅读并确认" in page
    no_tick = client.post(zhang_link + "confirm/", {"record_sha256": online_session.record_sha256})
    assert no_tick.status_code == 400
    stale = client.post(zhang_link + "confirm/", {"record_sha256": "0" * 64, "read": "on"})
    assert stale.status_code == 400 and "不一致" in stale.content.decode()
    response = client.post(
        zhang_link + "confirm/",
        {"record_sha256": online_session.record_sha256, "read": "on"},
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone) test",
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.confirmed_by == zhang and row.confirmed_ip == "127.0.0.1"
    assert row.confirmed_user_agent == "Mozilla/5.0 (iPhone) test"
    assert row.confirmed_sha256 == online_session.record_sha256
    again = client.post(
        zhang_link + "confirm/", {"record_sha256": online_session.record_sha256, "read": "on"}
    )
    assert again.status_code == 400

    # Every step is on the timeline with its actor, and in the security audit.
    types = list(
        TimelineEvent.objects.filter(case=case, type__startswith="online_session")
        .order_by("pk")
        .values_list("type", "actor")
    )
    expected = [
        ("online_session_scheduled", mediator.pk),
        ("online_session_invited", mediator.pk),
        ("online_session_joined", zhang.pk),
        ("online_session_message", zhang.pk),
        ("online_session_proposal", mediator.pk),
        ("online_session_answered", zhang.pk),
        ("online_session_joined", li.pk),
        ("online_session_answered", li.pk),
        ("online_session_answered", li.pk),
        ("online_session_held", mediator.pk),
        ("online_session_closed", mediator.pk),
        ("online_session_confirmed", zhang.pk),
    ]
    assert types == expected
    actions = [
        e.detail["action"]
        for e in SecurityAuditEvent.objects.filter(detail__online_session=online_session.pk).order_by("pk")
    ]
    assert actions[0] == "online_session_schedule" and actions[-1] == "online_session_confirm"
    assert len(actions) == len(expected)

    # The case page's lazy section shows per party: invited / joined / confirmed.
    login(mediator)
    section = client.get(reverse("online:case_sessions", args=[case.pk])).content.decode()
    assert "已确认笔录" in section and "已进入" in section


def test_links_are_bound_to_the_party_and_expire(
    client, login, routed_case, mediator, zhang, li, sms_outbox, settings
):
    case = routed_case
    online_session = _schedule(client, login, mediator, case)
    _invite(client, case, online_session)
    zhang_link = session_link(sms_outbox, "13800138000")
    login(li)  # 李四 holding 张三's link: 404 on every party endpoint
    assert client.get(zhang_link).status_code == 404
    assert client.post(zhang_link + "post/", {"body": "x"}).status_code == 404
    assert client.post(zhang_link + "confirm/", {"record_sha256": "0" * 64, "read": "on"}).status_code == 404
    assert client.get(zhang_link[:-4] + "xx/").status_code == 404
    # A signing link's token does not open a session (single purpose: its own salt).
    from online.access import sign_link_token

    class Fake:
        pk = online_session.pk

    party = case.parties.get(name="张三")
    login(zhang)
    assert client.get(reverse("online:party_session", args=[sign_link_token(Fake, party)])).status_code == 404
    assert client.get(zhang_link).status_code == 200
    settings.ONLINE_SESSION_LINK_HOURS = 0
    import time

    time.sleep(1.1)
    assert client.get(zhang_link).status_code == 404
    assert SessionParticipant.objects.filter(joined_at__isnull=False, party=party).count() == 1


def test_staff_endpoints_allowed_read_only_and_outsider(
    client, login, routed_case, mediator, clerk, outsider, foreign_clerk, sms_outbox
):
    case = routed_case
    online_session = _schedule(client, login, mediator, case)
    pages = [
        reverse("online:case_sessions", args=[case.pk]),
        _staff_url("staff_session", case, online_session),
    ]
    writes = {
        reverse("online:schedule", args=[case.pk]): {
            "planned_at": "2026-12-01T10:00",
            "video_url": "https://a.cn/x",
        },
        _staff_url("staff_post", case, online_session): {"body": "x", "kind": "message"},
        _staff_url("staff_invite", case, online_session): {"parties": [p.pk for p in case.parties.all()]},
        _staff_url("staff_times", case, online_session): {"held_from": "2026-12-01T10:00"},
        _staff_url("staff_close", case, online_session): {},
    }
    for user in (outsider, foreign_clerk):
        login(user)
        for url in pages:
            assert client.get(url).status_code == 404, url
        for url, body in writes.items():
            assert client.post(url, body).status_code == 404, url
    login(clerk)  # may see the case, not act in it
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        assert 'data-testid="staff-post"' not in page.content.decode()
    for url, body in writes.items():
        assert client.post(url, body).status_code == 403, url
    login(mediator)
    assert client.get(pages[0]).status_code == 200
    assert client.post(pages[1]).status_code == 405
    # A session of another case is not found under this one.
    assert (
        client.get(reverse("online:staff_session", args=[case.pk + 1000, online_session.pk])).status_code
        == 404
    )
    assert CaseMessage.objects.count() == 0


def test_bad_input_answers_400_not_500(client, login, routed_case, mediator, sms_outbox):
    case = routed_case
    online_session = _schedule(client, login, mediator, case)
    bad = [
        {"planned_at": "2026-13-45T99:99", "video_url": "https://a.cn/x", "parties": [1]},
        {"planned_at": "2026-12-01T10:00", "video_url": "javascript:alert(1)", "parties": [1]},
        {"planned_at": "2026-12-01T10:00", "video_url": "https://a.cn/\x00", "parties": [1]},
        {
            "planned_at": "2026-12-01T10:00",
            "video_url": "https://a.cn/x",
            "parties": ["99999999999999999999999"],
        },
    ]
    for body in bad:
        response = client.post(reverse("online:schedule", args=[case.pk]), body)
        assert response.status_code == 302  # back to the case page with the reason shown
    assert OnlineSession.objects.count() == 1
    response = client.post(
        _staff_url("staff_post", case, online_session), {"body": "a\x00b", "kind": "message"}
    )
    assert response.status_code == 400
    response = client.post(_staff_url("staff_post", case, online_session), {"body": "x", "kind": "nope"})
    assert response.status_code == 400
    response = client.post(
        _staff_url("staff_post", case, online_session),
        {"body": "", "kind": "message", "file": SimpleUploadedFile("a.exe", b"MZ")},
    )
    assert response.status_code == 400 and "不支持的文件类型" in response.content.decode()
    # Closing before the start is recorded is refused with the reason.
    response = client.post(
        _staff_url("staff_close", case, online_session), {"outcome": "agreed"}, follow=True
    )
    assert "请先记录本次调解的实际开始时间" in response.content.decode()
    assert not OnlineSession.objects.get().is_closed


def test_case_section_and_thread_queries_stay_fixed(
    client, login, routed_case, mediator, zhang, sms_outbox, django_assert_max_num_queries
):
    case = routed_case
    online_session = _schedule(client, login, mediator, case)
    for n in range(5):
        services.post_to_session(online_session, actor=mediator, body=f"第 {n} 条", kind="message")
        services.post_to_session(online_session, actor=mediator, body=f"方案 {n}", kind="proposal")
    url = reverse("online:case_sessions", args=[case.pk])
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    page_url = _staff_url("staff_session", case, online_session)
    with django_assert_max_num_queries(20) as thread_few:
        assert client.get(page_url).status_code == 200
    for n in range(10):
        services.post_to_session(online_session, actor=mediator, body=f"再 {n}", kind="proposal")
    for _n in range(3):  # more sessions on the card, more posts in the thread: the same number of queries
        services.schedule_online_session(
            case,
            actor=mediator,
            planned_at=timezone.now(),
            video_url="https://a.cn/x",
            parties=list(case.parties.all()),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    with django_assert_max_num_queries(len(thread_few.captured_queries)):
        client.get(page_url)
