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
