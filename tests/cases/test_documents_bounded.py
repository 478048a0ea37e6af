"""Issue 13 item 3: every document renders in bounded time whatever the case holds.

Long party lists and timelines are summarised; the layout runs in a child process with a time limit,
and a render that fails answers a page with a Chinese message (503, or 409 for an agreement that cannot
be summarised), never a 500 or a worker held until gunicorn kills it."""

import io
import re
import sys
import time

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from cases.documents import pdf
from cases.documents.lifecycle import (
    CASE_FILE_FIRST_EVENTS,
    CASE_FILE_LATEST_EVENTS,
    build_agreement_pdf,
    build_case_file_pdf,
    build_termination_notice_pdf,
)
from cases.documents.receipt import receipt_pdf
from cases.models import Party, TimelineEvent
from tests.cases.lifecycle_helpers import *  # noqa: F403


def pages_and_text(content: bytes) -> tuple[int, str]:
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), text.replace(" ", "").replace("\n", "")


def add_parties(case, count: int) -> None:
    """Parties straight into the table, as a push before CASE_MAX_PARTIES existed left them."""
    Party.objects.bulk_create(
        Party(case=case, role=Party.Role.RESPONDENT, name=f"被申请人{i:05d}", phone="13912345678")
        for i in range(count)
    )


def add_events(case, count: int) -> None:
    TimelineEvent.objects.bulk_create(
        TimelineEvent(case=case, type="note_added", data={"reason": f"第{i:04d}条记录：电话联系当事人"})
        for i in range(count)
    )


@pytest.fixture
def renderer():
    """A fresh render child before and after the test (a test may swap the child for a hanging one)."""
    pdf._renderer.stop()
    yield pdf._renderer
    pdf._renderer.stop()


def timed(build, case) -> tuple[float, bytes]:
    started = time.perf_counter()
    content = build(case)
    return time.perf_counter() - started, content


# --- Summaries ----------------------------------------------------------------------------------
def test_receipt_of_a_case_with_ten_thousand_parties_names_ten_and_the_count(login, clerk, make_case):
    case = make_case()
    add_parties(case, 9_998)
    response = login(clerk).get(reverse("cases:intake-receipt", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages, text = pages_and_text(response.content)
    assert pages <= 2
    # Applicants first, then in registration order: 张三, 李四 and the first eight pushed.
    assert "张三" in text and "李四" in text and "被申请人00000" in text and "被申请人00007" in text
    assert "被申请人00008" not in text
    assert "以上列出10名，等10000人（另有9990名未列出，完整名单以案件登记为准）" in text


def test_termination_notice_is_addressed_to_the_first_parties_and_the_count(failed_case):
    add_parties(failed_case, 60)
    pages, text = pages_and_text(build_termination_notice_pdf(failed_case))
    assert "等62人：" in text and "一式63份" in text and "被申请人00059" not in text
    assert pages <= 2


def test_case_file_lists_the_first_and_latest_events_and_says_how_many_are_left_out(closed_case):
    add_events(closed_case, 1_000)
    total = closed_case.events.count()
    pages, text = pages_and_text(build_case_file_pdf(closed_case))
    left_out = total - CASE_FILE_FIRST_EVENTS - CASE_FILE_LATEST_EVENTS
    assert f"……中间{left_out}条记录从略（完整时间线见系统案件页面）……" in text
    assert "登记受理" in text  # the first event
    assert "第0999条记录" in text and "第0000条记录" in text  # the latest, and early ones
    assert "第0500条记录" not in text
    assert pages < 60


def test_agreement_of_a_case_over_the_party_limit_is_refused_with_a_message(login, closed_case, mediator):
    add_parties(closed_case, settings.CASE_MAX_PARTIES)
    started = time.perf_counter()
    response = login(mediator).get(reverse("cases:agreement_pdf", args=[closed_case.pk]))
    assert time.perf_counter() - started < 5
    assert response.status_code == 409
    html = response.content.decode()
    count = settings.CASE_MAX_PARTIES + 2
    assert f"本案登记了 {count} 名当事人，超过每案 {settings.CASE_MAX_PARTIES} 名的上限" in html
    assert "文书暂时无法生成" in html


def test_case_file_of_a_case_over_the_party_limit_lists_the_limit_and_the_count(closed_case):
    add_parties(closed_case, settings.CASE_MAX_PARTIES + 10)
    _pages, text = pages_and_text(build_case_file_pdf(closed_case))
    count = settings.CASE_MAX_PARTIES + 12
    assert f"以上列出{settings.CASE_MAX_PARTIES}名，另有12名未列出（共{count}名" in text
    assert f"等{count}人" in text  # the cover


# --- The biggest case within the limits: measured ----------------------------------------------
def test_a_case_at_the_limits_renders_every_document_well_inside_the_time_limit(closed_case, renderer):
    add_parties(closed_case, settings.CASE_MAX_PARTIES - 2)
    add_events(closed_case, 400)
    timed(receipt_pdf, closed_case)  # the render child starts and loads its fonts once
    figures = {}
    for name, build in (
        ("receipt", receipt_pdf),
        ("agreement", build_agreement_pdf),
        ("case file", build_case_file_pdf),
    ):
        seconds, content = timed(build, closed_case)
        figures[name] = (seconds, pages_and_text(content)[0])
    print({name: f"{s:.2f} s, {p} pages" for name, (s, p) in figures.items()})
    for seconds, _pages in figures.values():
        assert seconds < settings.DOCUMENT_RENDER_TIMEOUT_SECONDS / 2
    assert figures["receipt"][1] <= 2


# --- The time limit -----------------------------------------------------------------------------
HANG = [sys.executable, "-c", "import sys, time; sys.stdin.buffer.read(8); time.sleep(120)"]
CRASH = [sys.executable, "-c", "import sys; sys.stdin.buffer.read(8); sys.exit(3)"]


def test_a_render_past_the_time_limit_is_stopped_and_answered_503(
    login, clerk, make_case, renderer, monkeypatch, settings
):
    settings.DOCUMENT_RENDER_TIMEOUT_SECONDS = 1.5
    case = make_case()
    monkeypatch.setattr(pdf, "_child_command", lambda: HANG)
    started = time.perf_counter()
    response = login(clerk).get(reverse("cases:intake-receipt", args=[case.pk]))
    elapsed = time.perf_counter() - started
    assert response.status_code == 503 and response["Retry-After"] == "60"
    html = response.content.decode()
    assert "文书内容过多，生成超时（超过 1.5 秒）已停止" in html and "文书暂时无法生成" in html
    assert 1.5 <= elapsed < 5
    assert renderer.proc is None  # the hanging child was killed, not left running

    # The worker is not harmed: the next render, with a real child, works.
    monkeypatch.undo()
    settings.DOCUMENT_RENDER_TIMEOUT_SECONDS = 20
    response = login(clerk).get(reverse("cases:intake-receipt", args=[case.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_hung_render_of_the_case_file_answers_503(
    login, closed_case, mediator, renderer, monkeypatch, settings
):
    settings.DOCUMENT_RENDER_TIMEOUT_SECONDS = 1
    monkeypatch.setattr(pdf, "_child_command", lambda: HANG)
    response = login(mediator).get(reverse("cases:case_file_pdf", args=[closed_case.pk]))
    assert response.status_code == 503 and "生成超时（超过 1 秒）" in response.content.decode()


def test_a_hung_render_of_a_portal_document_answers_503(client, make_case, renderer, monkeypatch, settings):
    case = make_case()
    body = client.post(
        "/portal/status/", {"code": case.tracking_code, "phone_last4": "8000"}
    ).content.decode()
    link = re.search(r'href="(/portal/documents/[^"]+)" data-testid="document">受理回执', body).group(1)
    settings.DOCUMENT_RENDER_TIMEOUT_SECONDS = 1
    monkeypatch.setattr(pdf, "_child_command", lambda: HANG)
    response = client.get(link)
    assert response.status_code == 503 and "生成超时" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_crashing_renderer_answers_503_with_a_message(login, clerk, make_case, renderer, monkeypatch):
    case = make_case()
    monkeypatch.setattr(pdf, "_child_command", lambda: CRASH)
    response = login(clerk).get(reverse("cases:intake-receipt", args=[case.pk]))
    assert response.status_code == 503
    assert "文书生成失败，请稍后重试；如仍失败，请联系系统管理员。" in response.content.decode()


def test_the_render_child_is_reused_between_documents(make_case, renderer):
    case = make_case()
    receipt_pdf(case)
    first = renderer.proc.pid
    receipt_pdf(case)
    assert renderer.proc.pid == first
