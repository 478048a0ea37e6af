"""PDF rendering with WeasyPrint: HTML templates with lang="zh-CN" and Debian's Noto CJK fonts.

Rendering is slow work: call it outside any database transaction (load the data first,
then render), never inside ``transaction.atomic()``.

The template is rendered here; the layout (WeasyPrint, the slow part) runs in a child process with a
time limit (``DOCUMENT_RENDER_TIMEOUT_SECONDS``). A render that runs over is stopped and answered with
``DocumentRenderFailed`` (503 and a message), so no document can hold a web worker until gunicorn kills
it. The documents themselves are bounded too (long party lists and timelines are summarised, see
``bounded``), so a case within the limits renders in a few seconds; the time limit is for what is not.
"""

import base64
import logging
import os
import select
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from mediation_center.errors import DomainError

logger = logging.getLogger(__name__)

RENDER_CHILD = Path(__file__).with_name("render_child.py")


class DocumentRenderFailed(DomainError):
    code = "document_render_failed"
    http_status = 503
    default_message = _("文书生成失败，请稍后重试；如仍失败，请联系系统管理员。")


def qr_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI, for embedding in documents."""
    svg = segno.make(text, error="m").svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


class DocumentTooLarge(DocumentRenderFailed):
    code = "document_too_large"
    http_status = 409


# A receipt, a notice and the case file's cover name this many parties, then "等 N 人".
LISTED_PARTIES = 10


def listed_parties(case, limit: int) -> tuple[list, int]:
    """The case's first ``limit`` parties (applicants first) and how many it has, in at most two queries."""
    shown = list(case.parties.all()[:limit])
    return shown, (len(shown) if len(shown) < limit else case.parties.count())


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a document template (extending documents/base.html) to PDF bytes, always in Chinese."""
    with translation.override("zh-hans"):
        html = render_to_string(template_name, context)
    return html_to_pdf(html, name=template_name)


def _child_command() -> list[str]:
    return [sys.executable, str(RENDER_CHILD), str(settings.BASE_DIR)]


class _Renderer:
    """One render child per process, used by one thread at a time, replaced when killed or worn out."""

    MAX_DOCUMENTS = 200  # a fresh child now and then, so memory WeasyPrint keeps cannot grow without end

    def __init__(self):
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.owner_pid = 0
        self.documents = 0

    def render(self, html: bytes, timeout: float) -> tuple[int, bytes]:
        deadline = time.monotonic() + timeout
        if not self.lock.acquire(timeout=timeout):
            raise TimeoutError
        try:
            for attempt in range(2):
                proc = self._child()
                try:
                    proc.stdin.write(struct.pack(">Q", len(html)) + html)
                    proc.stdin.flush()
                    header = self._read(proc, 9, deadline)
                    status, size = struct.unpack(">BQ", header)
                    payload = self._read(proc, size, deadline)
                except (BrokenPipeError, EOFError):
                    self.stop()  # the child died (killed, out of memory): a fresh one gets one more try
                    if attempt:
                        raise
                    continue
                except TimeoutError:
                    self.stop()
                    raise
                self.documents += 1
                if self.documents >= self.MAX_DOCUMENTS:
                    self.stop()
                return status, payload
        finally:
            self.lock.release()
        raise EOFError  # pragma: no cover - the loop returns or raises

    def _child(self) -> subprocess.Popen:
        # A forked parent (gunicorn --preload) must not share its parent's child: start its own.
        if self.proc is None or self.proc.poll() is not None or self.owner_pid != os.getpid():
            self.proc = subprocess.Popen(_child_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            self.owner_pid = os.getpid()
            self.documents = 0
        return self.proc

    @staticmethod
    def _read(proc: subprocess.Popen, size: int, deadline: float) -> bytes:
        fd, data = proc.stdout.fileno(), bytearray()
        poller = select.poll()  # not select.select: a busy worker may hold file descriptors past 1024
        poller.register(fd, select.POLLIN)
        while len(data) < size:
            left = deadline - time.monotonic()
            if left <= 0 or not poller.poll(left * 1000):
                raise TimeoutError
            chunk = os.read(fd, min(size - len(data), 1 << 20))
            if not chunk:
                raise EOFError
            data += chunk
        return bytes(data)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and self.owner_pid == os.getpid() and proc.poll() is None:
            proc.kill()
            proc.wait()


_renderer = _Renderer()


def html_to_pdf(html: str, *, name: str = "document") -> bytes:
    """Lay out ``html`` as PDF in the render child; past the time limit the child is killed and
    DocumentRenderFailed raised (the view answers 503 with its message)."""
    timeout = settings.DOCUMENT_RENDER_TIMEOUT_SECONDS
    started = time.monotonic()
    try:
        status, payload = _renderer.render(html.encode("utf-8"), timeout)
    except TimeoutError as exc:
        logger.error("PDF %s: rendering stopped after %.1f s (%d bytes of HTML)", name, timeout, len(html))
        raise DocumentRenderFailed(
            _("文书内容过多，生成超时（超过 %(seconds)s 秒）已停止。请稍后重试；如仍失败，请联系系统管理员。")
            % {"seconds": f"{timeout:g}"},
            code="document_render_timeout",
        ) from exc
    except (BrokenPipeError, EOFError, OSError) as exc:
        logger.error("PDF %s: the render process failed: %r", name, exc)
        raise DocumentRenderFailed() from exc
    if status != 0 or not payload.startswith(b"%PDF"):
        logger.error("PDF %s: rendering failed: %s", name, payload[-2000:].decode(errors="replace"))
        raise DocumentRenderFailed()
    logger.info("PDF %s rendered in %.2f s", name, time.monotonic() - started)
    return payload
