"""A reference webhook receiver: checks each delivery's signature and freshness, drops repeats by event id,
and keeps (or prints) what it received. The management command ``run_webhook_receiver`` serves it, and the
tests run it on loopback, also answering 500 (``fail_with``) to exercise retries and ordering."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cases.integrations import signing


class Receiver:
    def __init__(
        self, secret: str, *, host: str = "127.0.0.1", port: int = 0, on_event: Callable | None = None
    ):
        self.secret = secret
        self.events: list[dict] = []  # genuine, first deliveries, in arrival order
        self.seen: set[str] = set()
        self.refused: list[str] = []  # why deliveries were refused
        self.fail_with: int | None = None  # answer this status instead (e.g. 500) while set
        self.on_event = on_event
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the sender expects of a real receiver

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver.receive(body, self.headers)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # quiet: the receiver reports through on_event
                pass

        return Handler

    def receive(self, body: bytes, headers) -> int:
        if self.fail_with:
            return self.fail_with
        problem = signing.verify(
            self.secret, body, headers.get(signing.TIMESTAMP_HEADER), headers.get(signing.SIGNATURE_HEADER)
        )
        if problem:
            with self.lock:
                self.refused.append(problem)
            return 401
        event = json.loads(body)
        with self.lock:
            if event["event_id"] in self.seen:
                return 200  # a repeat: acknowledged, not processed again
            self.seen.add(event["event_id"])
            self.events.append(event)
        if self.on_event:
            self.on_event(event)
        return 200

    def serve_in_thread(self) -> Receiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
