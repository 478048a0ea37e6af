"""The load client of the HTTP run: a second process sending a fixed number of GETs, bounded in time.

    python -m bench.load --port 8765 --cookie sessionid=... --requests 400 --concurrency 4 /cases/ ...

Prints one JSON object: sent, ok, errors, seconds, rps, p50_ms, p95_ms, per-URL counts, and the CPU seconds
the client itself used while sending (its start-up excluded).
Loopback only: the host must be 127.0.0.1 or localhost.
"""

import argparse
import http.client
import json
import statistics
import sys
import threading
import time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "localhost"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cookie", default="")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=120)
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args(argv)

    lock = threading.Lock()
    counter = iter(range(args.requests))
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []
    deadline = time.monotonic() + args.time_limit

    def worker():
        conn = http.client.HTTPConnection(args.host, args.port, timeout=30)
        headers = {"Cookie": args.cookie} if args.cookie else {}
        while time.monotonic() < deadline:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            url = args.urls[index % len(args.urls)]
            start = time.perf_counter()
            try:
                conn.request("GET", url, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(args.host, args.port, timeout=30)
                with lock:
                    errors.append(f"{url}: {exc!r}")
                continue
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                key = f"{status} {url}"
                statuses[key] = statuses.get(key, 0) + 1
        conn.close()

    started = time.monotonic()
    cpu_started = time.process_time()
    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started
    cpu_seconds = time.process_time() - cpu_started  # this process's CPU while sending (start-up excluded)
    ok = sum(n for key, n in statuses.items() if key.startswith("200 "))
    ordered = sorted(latencies) or [0.0]
    print(
        json.dumps(
            {
                "sent": len(latencies) + len(errors),
                "ok": ok,
                "errors": errors[:10],
                "statuses": statuses,
                "seconds": round(seconds, 2),
                "rps": round(ok / seconds, 1) if seconds else 0.0,
                "p50_ms": round(statistics.median(ordered), 1),
                "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
                "concurrency": args.concurrency,
                "cpu_seconds": round(cpu_seconds, 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
