"""gunicorn's settings, one file for every place that starts it: docker-compose's ``web``, the Dockerfile and
the benchmark's HTTP run (``bench.run.http_load``), so the figures measure what is deployed.

    gunicorn -c mediation_center/gunicorn_conf.py mediation_center.wsgi:application

Options given on the command line win over these (the benchmark binds 127.0.0.1 and runs 2 workers).

Threaded workers with one thread each, for keep-alive: a sync worker closes the connection after every
response, so a browser, a proxy that keeps its upstream connections, or the load client opens a new TCP
connection per request (measured on 2 cores: ~0.6 ms of worker CPU and ~0.1 ms of the client's a request,
bench/README.md "HTTP throughput"). One thread keeps a worker's memory and its database connections as a
sync worker's: one request at a time, one connection per worker; an idle keep-alive connection waits in
the worker's poller, not in the thread, and a client that sends its request slowly is put back to the poller
rather than holding the thread.

A sync worker that spends more than ``timeout`` seconds on one request is killed by the master (WORKER
TIMEOUT); a threaded worker's main loop keeps telling the master it is alive whatever its thread is doing.
The hooks below keep the sync rule: while one of its requests has been running for more than a second, a
worker stops reporting, so the master kills it ``timeout`` seconds later (a second later than a sync worker).
"""

import os
import threading
import time

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = 1
keepalive = 5  # seconds an idle connection stays open
timeout = 30  # a PDF is rendered in a child process stopped before this (DOCUMENT_RENDER_TIMEOUT_SECONDS)
max_requests = 2000  # a worker restarts after this many requests (a slow leak cannot grow without bound)
# The heartbeat file is touched about once a second: in memory, not on the container's overlay disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = None  # no access log from gunicorn (a proxy in front keeps one)

# A request running longer than this stops the worker's heartbeat (see the module's docstring).
REPORT_GRACE_SECONDS = 1.0


class RequestClock:
    """When each request a worker is handling started (monotonic seconds), by thread."""

    def __init__(self):
        self._started: dict[int, float] = {}
        self._lock = threading.Lock()

    def start(self, now: float | None = None) -> None:
        with self._lock:
            self._started[threading.get_ident()] = time.monotonic() if now is None else now

    def finish(self) -> None:
        with self._lock:
            self._started.pop(threading.get_ident(), None)

    def overran(self, limit: float, now: float | None = None) -> bool:
        """Whether a request has been running for longer than ``limit`` seconds."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return any(now - started > limit for started in self._started.values())


def post_worker_init(worker):
    worker.request_clock = RequestClock()
    report_alive = worker.notify

    def notify():
        if not worker.request_clock.overran(REPORT_GRACE_SECONDS):
            report_alive()

    worker.notify = notify


def pre_request(worker, req):
    clock = getattr(worker, "request_clock", None)
    if clock is not None:
        clock.start()


def post_request(worker, req, environ, resp):
    clock = getattr(worker, "request_clock", None)
    if clock is not None:
        clock.finish()
