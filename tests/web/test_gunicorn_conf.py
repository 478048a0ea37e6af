"""mediation_center/gunicorn_conf.py: threaded workers keep connections open, and a request that runs past
``timeout`` still gets its worker killed by the master, as a sync worker would be."""

import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mediation_center import gunicorn_conf
from mediation_center.gunicorn_conf import RequestClock

ROOT = Path(__file__).resolve().parents[2]


def test_a_request_past_the_grace_stops_the_heartbeat():
    clock = RequestClock()
    assert not clock.overran(1.0, now=100.0)
    clock.start(now=100.0)
    assert not clock.overran(1.0, now=100.5)
    assert clock.overran(1.0, now=101.5)
    clock.finish()
    assert not clock.overran(1.0, now=200.0)


def test_the_worker_reports_alive_only_while_no_request_overran(monkeypatch):
    reports = []

    class Worker:
        def notify(self):
            reports.append(time.monotonic())

    worker = Worker()
    gunicorn_conf.post_worker_init(worker)
    worker.notify()
    gunicorn_conf.pre_request(worker, None)
    worker.notify()  # a request just started: still alive
    assert len(reports) == 2
    monkeypatch.setattr(gunicorn_conf, "REPORT_GRACE_SECONDS", -1.0)
    worker.notify()  # the request overran: silent, the master will kill the worker
    assert len(reports) == 2
    gunicorn_conf.post_request(worker, None, {}, None)
    worker.notify()
    assert len(reports) == 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            str(ROOT / "mediation_center" / "gunicorn_conf.py"),
            "tests.web.slow_app:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "2",
        ],
        cwd=ROOT,
        stderr=log.open("w"),
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.1)
    yield port, log
    process.terminate()
    process.wait(timeout=20)


def test_connections_are_kept_open_between_requests(server):
    port, _ = server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/")
    first = conn.getresponse()
    first.read()
    sock = conn.sock
    conn.request("GET", "/")
    second = conn.getresponse()
    second.read()
    assert first.status == second.status == 200
    assert first.getheader("Connection", "").lower() != "close"
    assert conn.sock is sock  # the same connection answered both
    conn.close()


def test_a_request_running_past_the_timeout_gets_its_worker_killed(server):
    port, log = server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", "/")
    response = conn.getresponse()
    before = response.read()
    conn.close()
    slow = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    slow.request("GET", "/slow")
    started = time.monotonic()
    with pytest.raises((http.client.HTTPException, OSError)):
        slow.getresponse().read()  # the worker is killed mid-request: the connection drops
    assert time.monotonic() - started < 10  # 2 s of timeout, a second of grace, the master's tick
    assert "WORKER TIMEOUT" in log.read_text()
    deadline = time.monotonic() + 20
    while True:  # a new worker answers
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/")
            after = conn.getresponse().read()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert after != before  # another process


def test_every_gunicorn_start_reads_the_one_config():
    import yaml

    from bench.run import GUNICORN_CONF

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"]["web"]["command"].startswith("gunicorn -c mediation_center/gunicorn_conf.py ")
    assert '"gunicorn", "-c", "mediation_center/gunicorn_conf.py"' in (ROOT / "Dockerfile").read_text()
    assert GUNICORN_CONF == ROOT / "mediation_center" / "gunicorn_conf.py"
