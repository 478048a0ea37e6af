"""The HTTP run states each throughput target of issue 17 item 6 as met or missed."""

from bench.run import http_verdicts, markdown


def _http(queue_rps, case_rps, rss):
    page = lambda rps: {"ok": 100, "sent": 100, "rps": rps, "p50_ms": 10, "p95_ms": 20}  # noqa: E731
    return {
        "concurrency": 4,
        "worker_peak_rss_mb": rss,
        "pages": {"queue.first_page": page(queue_rps), "case_page.typical": page(case_rps)},
    }


def test_met_and_missed_targets_are_named():
    lines = http_verdicts(_http(251.0, 149.9, [150.2, 201.0]))
    assert lines == [
        "queue.first_page: 251.0 req/s (≥ 250) — met",
        "case_page.typical: 149.9 req/s (≥ 150) — missed",
        "web worker peak RSS: 201 MB (< 200) — missed",
    ]


def test_the_markdown_report_lists_them_under_the_table():
    report = {
        "date": "2026-12-02 10:00 UTC",
        "machine": "test",
        "postgres": "15",
        "cases": 10,
        "repeat": 5,
        "load_average": [0.1, 0.1, 0.1],
        "operations": [],
        "env": {"county": "县", "long_case_events": 1, "cases_below_county": 1},
        "http": _http(300, 160, [120.0, 130.0]),
    }
    text = markdown(report)
    assert "- queue.first_page: 300.0 req/s (≥ 250) — met" in text
    assert "- web worker peak RSS: 130 MB (< 200) — met" in text


def test_a_process_cpu_time_is_read_from_proc():
    import os
    import time

    from bench.run import cpu_seconds

    before = cpu_seconds(os.getpid())
    end = time.process_time() + 0.05
    while time.process_time() < end:
        pass
    assert cpu_seconds(os.getpid()) - before >= 0.03
    assert cpu_seconds(2**22 + 12345) == 0.0  # no such process


def test_the_cpu_split_is_per_request_and_adds_up(monkeypatch):
    from bench import run

    used = {1: 1.0, 2: 0.5, 3: 0.1}  # CPU seconds so far by pid: a worker, a database backend, Redis
    backends = [2]
    monkeypatch.setattr(run, "cpu_seconds", lambda pid: used.get(pid, 0.0))
    split = run.CpuSplit({"workers": lambda: [1], "postgres": lambda: list(backends), "redis": lambda: [3]})
    used.update({1: 2.0, 2: 0.8})
    split.sample()
    # The backend's connection reaches CONN_MAX_AGE and closes; its worker opens a new one.
    del used[2]
    backends[:] = [4]
    used.update({1: 3.0, 3: 0.2, 4: 0.2})
    split.sample()
    # 1,000 requests: the worker 2 s, the backends 0.3 s + 0.2 s, Redis 0.1 s; the client said 0.3 s.
    assert split.per_request(1000, client_seconds=0.3) == {
        "workers": 2.0,
        "postgres": 0.5,
        "redis": 0.1,
        "client": 0.3,
        "total": 2.9,
    }
    assert (
        run.cpu_split_text(split.per_request(1000, client_seconds=0.3)) == "2.00 / 0.50 / 0.10 / 0.30 = 2.90"
    )


def test_the_cpu_split_samples_while_the_phase_runs(monkeypatch):
    import time

    from bench import run

    calls = []
    monkeypatch.setattr(run, "cpu_seconds", lambda pid: calls.append(pid) or 1.0)
    with run.CpuSplit({"workers": lambda: [1]}, interval=0.01):
        time.sleep(0.1)
    assert len(calls) >= 4  # the start, some samples meanwhile, the end


def test_database_backends_are_found_by_their_title(tmp_path, monkeypatch):
    from bench import run

    real_path = run.Path
    for pid, title in (
        (10, "postgres: 15/main: postgres mc_x 127.0.0.1(5) idle"),
        (11, "postgres: 15/main: postgres mc_y 127.0.0.1(6) idle"),
        (12, "postgres: 15/main: postgres mc_x 127.0.0.1(7) idle"),
        (13, "python -m bench.run mc_x"),
    ):
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "cmdline").write_bytes(title.encode())
    monkeypatch.setattr(run, "Path", lambda p: tmp_path if p == "/proc" else real_path(p))
    assert sorted(run.database_backends("mc_x", own=12)) == [10]


def test_the_load_client_reports_its_own_cpu(monkeypatch, capsys):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from bench import load

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            assert self.headers["Cookie"] == "sessionid=abc"
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        load.main(
            [
                "--port",
                str(server.server_address[1]),
                "--cookie",
                "sessionid=abc",
                "--requests",
                "20",
                "--concurrency",
                "2",
                "/x",
            ]
        )
    finally:
        server.shutdown()
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] == result["sent"] == 20
    assert result["cpu_seconds"] > 0
