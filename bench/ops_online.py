"""Online signing: what a party's signing page and the public verification cost (see "Online signing" in
bench/README.md)."""

import os

from bench.run import Env, operation
from cases.lifecycle.models import Agreement


def _agreement(env: Env) -> Agreement:
    agreement = (
        Agreement.objects.filter(case__center__path__startswith=env.county.path).order_by("-pk").first()
        or Agreement.objects.order_by("-pk").first()
    )
    if agreement is None:
        raise SystemExit("no agreements: run `manage.py generate_data` first")
    return agreement


@operation("online.content_digest", target_ms=25)
def online_content_digest(env: Env):
    """The fingerprint read on every signing page and case page: is the signed version still current?"""
    from online.documents import content_digest

    agreement = _agreement(env)

    def digest():
        return content_digest(Agreement.objects.select_related("case__center").get(pk=agreement.pk))

    return digest


@operation("online.signing_pdf", target_ms=3000, repeat=5)
def online_signing_pdf(env: Env):
    """The exact PDF put up for signature (rendered once per version, then served from the row)."""
    from online.documents import render_signing_pdf

    agreement = _agreement(env)
    return lambda: render_signing_pdf(agreement)


@operation("online.verify_api", target_ms=50)
def online_verify_api(env: Env):
    """The public verification of a 512 KB PDF (the API takes bodies up to API_MAX_BODY_BYTES, 1 MB): hash it, find the code (index), answer."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()
    data = b"%PDF-1.7\n" + os.urandom(512 * 1024)

    def verify():
        upload = SimpleUploadedFile("a.pdf", data, content_type="application/pdf")
        response = client.post("/api/online/verify/", {"code": "ABCDEFGHJKLM", "file": upload})
        if response.status_code != 200:
            raise AssertionError(f"online.verify_api answered {response.status_code}")
        return response

    return verify


def _session_with_thread(env: Env, posts: int = 200):
    """An online session on one of the mediator's open cases with ``posts`` posts (made once, then reused)."""
    from django.utils import timezone

    from cases.core.states import WORKING_STATUSES
    from online import session_services as sessions
    from online.models import OnlineSession
    from routing.models import CaseAssignment

    existing = OnlineSession.objects.filter(posts__isnull=False).order_by("-pk").first()
    if existing is not None and existing.posts.count() >= posts:
        return existing
    assignment = (
        CaseAssignment.objects.filter(mediator=env.mediator, case__status__in=WORKING_STATUSES)
        .select_related("case")
        .order_by("-case_id")
        .first()
    )
    if assignment is None:
        raise SystemExit("the bench mediator has no open case: run `manage.py generate_data` first")
    case = assignment.case
    online_session = sessions.schedule_online_session(
        case,
        actor=env.mediator,
        planned_at=timezone.now(),
        video_url="https://meeting.example.cn/j/bench",
        parties=list(case.parties.all()),
    )
    for n in range(posts):
        kind = "proposal" if n % 20 == 0 else "message"
        sessions.post_to_session(
            online_session, actor=env.mediator, body=f"第 {n} 条发言：" + "欠薪" * 20, kind=kind
        )
    return online_session


@operation("online.session_thread", target_ms=50, writes=True)
def online_session_thread(env: Env):
    """A session's thread of 200 posts (10 proposals with their answers), as the staff and party pages read it."""
    from online import session_selectors

    online_session = _session_with_thread(env)
    return lambda: session_selectors.thread(online_session)


@operation("online.session_record", target_ms=80, writes=True)
def online_session_record(env: Env):
    """The session record built from 200 posts when the mediator closes it (read side only, nothing saved)."""
    from django.utils import timezone

    from online import session_services as sessions

    online_session = _session_with_thread(env)
    online_session.held_from = online_session.held_from or timezone.now()
    return lambda: sessions.build_record(online_session, held_until=timezone.now())


@operation("online.case_sessions_section", target_ms=40)
def online_case_sessions_section(env: Env):
    """The case page's lazy 线上调解 card (htmx), over the case with the bench session."""
    from django.urls import reverse

    from online.models import OnlineSession

    online_session = OnlineSession.objects.select_related("session").order_by("-pk").first()
    if online_session is None:
        raise SystemExit("no online sessions: run online.session_thread first")
    client = env.client("mediator")
    url = reverse("online:case_sessions", args=[online_session.session.case_id])

    def section():
        response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"online.case_sessions_section answered {response.status_code}")
        return response

    return section
