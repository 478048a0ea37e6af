"""Time each operation against the generated database, run an HTTP load through gunicorn, write the results.

    .venv/bin/python -m bench.run                 # operations + HTTP load, prints a table
    .venv/bin/python -m bench.run --explain       # also EXPLAIN (ANALYZE, BUFFERS) into bench/EXPLAIN.md
    .venv/bin/python -m bench.run --only case_page --repeat 50 --no-http

Operations live in ``OPERATIONS`` (name -> Operation). An operation's ``setup(env)`` picks
its objects once and returns the zero-argument callable that is timed. Adding one when an
area merges is a few lines at the bottom of this file (see bench/README.md, "To add").
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
# Run as `python -m bench.run`, this module is __main__: make `import bench.run` (from the bench/ops_*.py
# modules below) find this same module, so their operations land in this OPERATIONS.
sys.modules.setdefault("bench.run", sys.modules[__name__])

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import DatabaseError, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.http import urlencode  # noqa: E402

from accounts.models import Center, Membership, User  # noqa: E402
from cases.core.models import Case, DisputeType, Party  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
GUNICORN_CONF = BENCH_DIR.parent / "mediation_center" / "gunicorn_conf.py"


# --- The registry -------------------------------------------------------------------------


@dataclass
class Operation:
    name: str
    setup: Callable[["Env"], Callable[[], object]]
    target_ms: float | None = None  # the p50 target, if it sets one
    target: str = ""  # the target in words (for targets relative to another operation)
    repeat: int | None = None  # overrides --repeat for slow operations (PDF)
    writes: bool = False  # EXPLAIN leaves the statements of writing operations out
    relative_to: tuple[str, float] | None = None  # p50 ≤ factor × another operation's p50
    warmup: int = 3  # untimed calls first (the sweep takes one)


OPERATIONS: dict[str, Operation] = {}


def operation(
    name: str,
    *,
    target_ms: float | None = None,
    target: str = "",
    repeat: int | None = None,
    writes: bool = False,
    warmup: int = 3,
):
    """Register ``setup(env)`` under ``name``; it returns the callable to time, or ``(prepare, call)``, or
    ``(prepare, call, teardown)`` (teardown runs once after the measurement, e.g. to restore rows)."""

    def register(setup):
        OPERATIONS[name] = Operation(name, setup, target_ms, target, repeat, writes, warmup=warmup)
        return setup

    return register


def page(
    name: str,
    user: str | None,
    url: Callable[["Env"], str],
    *,
    method: str = "get",
    data: Callable[["Env"], dict] | None = None,
    content_type: str | None = None,
    expect: int = 200,
    target_ms: float | None = None,
    target: str = "",
    relative_to: tuple[str, float] | None = None,
) -> None:
    """Register a request to ``url(env)`` by the persona ``env.<user>`` (None: anonymous) answering ``expect``."""

    def setup(env: "Env"):
        client = env.client(user)
        address = url(env)
        send = getattr(client, method)
        extra = {"content_type": content_type} if content_type else {}

        def request():
            response = send(address, data(env) if data else None, **extra)
            if response.status_code != expect:
                raise AssertionError(f"{name}: {method.upper()} {address} answered {response.status_code}")
            return response

        return request

    OPERATIONS[name] = Operation(
        name, setup, target_ms, target, writes=method != "get", relative_to=relative_to
    )


# --- The environment: who looks at what --------------------------------------------------------


@dataclass
class Env:
    """The personas and objects the operations use, picked once from the generated data."""

    county: Center
    clerk: User
    supervisor: User
    mediator: User
    long_case: Case
    any_case: Case
    receipt_case: Case
    clients: dict = field(default_factory=dict)

    def client(self, persona: str | None) -> Client:
        if persona not in self.clients:
            client = Client()
            if persona:
                client.force_login(getattr(self, persona))
            self.clients[persona] = client
        return self.clients[persona]


def _member(center: Center, role: str) -> User:
    membership = (
        Membership.objects.filter(center=center, role=role).select_related("user").order_by("user_id").first()
    )
    if membership is None:
        raise SystemExit(f"no {role} at {center}: run `manage.py generate_data` first")
    return membership.user


def build_env() -> Env:
    # The case with the longest timeline (the generator gives one case in a thousand 150–400 events).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT case_id FROM cases_timelineevent WHERE case_id IN ("
            " SELECT id FROM cases_case ORDER BY id DESC LIMIT 20000)"
            " GROUP BY case_id ORDER BY count(*) DESC LIMIT 1"
        )
        row = cursor.fetchone()
    if row is None:
        raise SystemExit("no cases: run `manage.py generate_data` first")
    long_case = Case.objects.select_related("center").get(pk=row[0])
    county = Center.objects.get(pk=int(long_case.center.path.strip("/").split("/")[0]))
    # A generated case of the county (not one the intake benchmark added), accepted, with phones.
    any_case = (
        Case.objects.filter(center=county, status="in_mediation", external_system="").order_by("-id").first()
        or long_case
    )
    return Env(
        county=county,
        clerk=_member(county, Membership.Role.CLERK),
        supervisor=_member(county, Membership.Role.SUPERVISOR),
        mediator=busiest_mediator(county) or _member(county, Membership.Role.MEDIATOR),
        long_case=long_case,
        any_case=any_case,
        receipt_case=any_case,
    )


def busiest_mediator(county: Center) -> User | None:
    """The mediator under the county with the most open cases assigned (a busy queue)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.mediator_id FROM routing_caseassignment a JOIN cases_case c ON c.id = a.case_id "
            "JOIN accounts_center ce ON ce.id = c.center_id WHERE a.ended_at IS NULL AND c.status IN "
            "('routed','in_mediation','concluded','evaluated') AND ce.path LIKE %s "
            "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
            [county.path + "%"],
        )
        row = cursor.fetchone()
    return User.objects.get(pk=row[0]) if row else None


# --- Measuring -----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def prepared(
    op: Operation, env: Env
) -> tuple[Callable[[], object], Callable[[], object], Callable[[], object]]:
    """(prepare, call, teardown): ``setup`` may return ``(prepare, call)`` when each call needs untimed
    preparation, and ``(prepare, call, teardown)`` when the data must be put back afterwards."""
    made = op.setup(env)
    nothing = lambda: None  # noqa: E731
    if isinstance(made, tuple):
        return (*made, nothing) if len(made) == 2 else made
    return nothing, made, nothing


def measure(op: Operation, env: Env, repeat: int, warmup: int | None = None, budget_s: float = 60.0) -> dict:
    """Median and p95 of ``repeat`` timed calls (at least 5, fewer than ``repeat`` if they would take over
    ``budget_s`` seconds), and the number of SQL queries of one call."""
    prepare, call, teardown = prepared(op, env)
    try:
        return _measure(op, prepare, call, repeat, op.warmup if warmup is None else warmup, budget_s)
    finally:
        teardown()


def _measure(op, prepare, call, repeat: int, warmup: int, budget_s: float) -> dict:
    slowest = 0.0
    for _ in range(warmup):
        prepare()
        start = time.perf_counter()
        call()
        slowest = max(slowest, time.perf_counter() - start)
    prepare()
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        call()
        first = (time.perf_counter() - start) * 1000  # the first call after the warm-up (and after setup)
    queries = len(captured.captured_queries)
    times = []
    repeat = op.repeat or repeat
    if slowest * repeat > budget_s:
        repeat = max(5, int(budget_s / slowest))
    for _ in range(repeat):
        prepare()
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    p50 = statistics.median(times)
    result = {
        "name": op.name,
        "repeat": len(times),
        "p50_ms": round(p50, 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "min_ms": round(min(times), 2),
        "first_ms": round(first, 2),  # the call whose queries are counted, before the timed ones
        "queries": queries,
        "target_ms": op.target_ms,
        "target": op.target or (f"p50 ≤ {op.target_ms:g} ms" if op.target_ms else ""),
    }
    if op.target_ms:
        result["meets_target"] = p50 <= op.target_ms
    if op.relative_to:
        other, factor = op.relative_to
        result["relative_to"] = [other, factor]
        result["target"] = result["target"] or f"p50 ≤ {factor:g} × {other}"
    return result


def check_relative_targets(results: list[dict]) -> None:
    """Targets like 'status lookup ≤ 2 × the bare view' are decided once both are measured."""
    by_name = {r["name"]: r for r in results}
    for r in results:
        if "relative_to" in r and r["relative_to"][0] in by_name:
            other, factor = r["relative_to"]
            r["meets_target"] = r["p50_ms"] <= factor * by_name[other]["p50_ms"]


def explain(ops: list[Operation], env: Env, path: Path) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) every distinct SELECT the read operations run, into a markdown file."""
    lines = [
        "# EXPLAIN of the hot queries",
        "",
        f"Generated by `python -m bench.run --explain` on {timezone.now():%Y-%m-%d %H:%M} UTC "
        f"against {Case.objects.count():,} cases. Session and user lookups are left out.",
        "",
    ]
    for op in ops:
        if op.writes:
            continue
        prepare, call, teardown = prepared(op, env)
        try:
            prepare()
            call()
            prepare()
            with CaptureQueriesContext(connection) as captured:
                call()
        finally:
            teardown()
        seen = set()
        lines += [f"## {op.name}", ""]
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or sql in seen:
                continue
            if (
                '"django_session"' in sql
                or 'FROM "accounts_user"' in sql
                and "WHERE" in sql
                and "LIMIT 21" in sql
            ):
                continue
            seen.add(sql)
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            lines += ["```sql", sql, "```", "", "```", plan, "```", ""]
    for title, sql, before in EXPLAIN_SHAPES(env):
        with transaction.atomic(), connection.cursor() as cursor:
            if before:
                cursor.execute(before)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            transaction.set_rollback(True)
        shown = f"-- after: {before}\n{sql}" if before else sql
        lines += [f"## {title}", "", "```sql", shown, "```", "", "```", plan, "```", ""]
    path.write_text("\n".join(lines))


def EXPLAIN_SHAPES(env: Env) -> list[tuple[str, str, str]]:  # noqa: N802 - a table of queries
    """(title, SQL, SQL run before it in the same rolled-back transaction) for the statements of the
    writing operations, which the capture above leaves out: the sweep's select and the status lookup."""
    open_statuses = "('submitted','registered','routed','in_mediation','concluded','evaluated')"
    ten_thousand = (
        f"UPDATE cases_case SET next_check_at = now() - interval '1 minute' WHERE id IN (SELECT id FROM "
        f"cases_case WHERE status IN {open_statuses} ORDER BY id DESC LIMIT 10000)"
    )
    due = (
        'SELECT "cases_case"."id" FROM "cases_case" WHERE "cases_case"."next_check_at" <= now() '
        'ORDER BY "cases_case"."next_check_at" ASC LIMIT 500 FOR UPDATE SKIP LOCKED'
    )
    return [
        (
            "sweep.10000_due: the sweep's batch select, 10,000 cases due (index case_sweep_due)",
            due,
            ten_thousand,
        ),
        (
            "sweep.none_due: the same select with nothing due",
            due,
            "UPDATE cases_case SET next_check_at = now() + interval '1 hour' WHERE next_check_at <= now()",
        ),
        (
            "sweep: the batch's handling clocks (CaseClock by case, running)",
            "SELECT * FROM cases_caseclock WHERE stopped_at IS NULL AND case_id IN "
            f"(SELECT id FROM cases_case WHERE status IN {open_statuses} ORDER BY id DESC LIMIT 500)",
            "",
        ),
        (
            "status_lookup: the case by tracking code (unique index)",
            f"SELECT * FROM cases_case WHERE tracking_code = '{env.any_case.tracking_code}'",
            "",
        ),
    ]


# --- HTTP load ---------------------------------------------------------------------------------


def gunicorn_workers(master_pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (``/proc/<pid>/stat``), 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_backends(database: str, own: int) -> list[int]:
    """The PostgreSQL backends of ``database`` other than this process's own (``own``: the web workers'
    connections), found by their process title (``postgres: … <user> <database> <client>``)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            title = cmdline.read_bytes().decode(errors="replace").split()
        except OSError:
            continue
        pid = int(cmdline.parent.name)
        if title[:1] == ["postgres:"] and database in title[1:] and pid != own:
            found.append(pid)
    return found


def redis_servers() -> list[int]:
    """The redis-server processes on this machine (shared by every Redis db: other users' work counts too)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/comm"):
        try:
            if status.read_text().strip() == "redis-server":
                found.append(int(status.parent.name))
        except OSError:
            continue
    return found


class CpuSplit:
    """CPU milliseconds per request of each side of an HTTP phase: the web workers, the PostgreSQL backends
    of the database, Redis, and the load client (what ``bench.load`` reports of its own, start-up excluded).

    ``groups`` name a function listing each side's processes. Sampled from ``/proc`` at the start, every
    ``interval`` seconds while the phase runs (``with CpuSplit(...)``) and at the end: a process that starts
    meanwhile (a database connection reopened after ``CONN_MAX_AGE``, a worker restarted after
    ``max_requests``) counts from zero, one that ends counts until its last sample."""

    def __init__(self, groups: dict, *, interval: float = 0.25):
        import threading

        self.groups = groups
        self.interval = interval
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.sample(first=True)

    def sample(self, *, first: bool = False) -> None:
        for name, pids in self.groups.items():
            for pid in pids():
                used = cpu_seconds(pid)
                if used:
                    if first:
                        self.first[(name, pid)] = used
                    self.last[(name, pid)] = max(used, self.last.get((name, pid), 0.0))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.sample()

    def per_request(self, requests: int, *, client_seconds: float) -> dict[str, float]:
        split = dict.fromkeys(self.groups, 0.0)
        for (name, pid), used in self.last.items():
            split[name] += (used - self.first.get((name, pid), 0.0)) * 1000 / max(1, requests)
        split["client"] = client_seconds * 1000 / max(1, requests)
        split["total"] = sum(split.values())
        return {name: round(ms, 2) for name, ms in split.items()}


def vm_hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# Issue 17 item 6: through gunicorn with 2 workers and 4 client connections, requests per second per page,
# and each web worker's peak memory.
HTTP_TARGET_RPS = {"queue.first_page": 250, "case_page.typical": 150}
HTTP_WORKER_RSS_MB = 200
HTTP_WARM_UP_REQUESTS = 20


def http_verdicts(http: dict) -> list[str]:
    """One line per throughput target of the HTTP run: the figure, the target and whether it is met."""
    lines = []
    for name, target in HTTP_TARGET_RPS.items():
        page_result = http["pages"].get(name)
        if page_result is not None:
            met = page_result["rps"] >= target
            lines.append(
                f"{name}: {page_result['rps']:.1f} req/s (≥ {target}) — {'met' if met else 'missed'}"
            )
    peak = max(http["worker_peak_rss_mb"], default=0)
    lines.append(
        f"web worker peak RSS: {peak:.0f} MB (< {HTTP_WORKER_RSS_MB}) — "
        f"{'met' if peak < HTTP_WORKER_RSS_MB else 'missed'}"
    )
    return lines


def cpu_split_text(split: dict | None) -> str:
    if not split:
        return ""
    parts = " / ".join(f"{split[name]:.2f}" for name in ("workers", "postgres", "redis", "client"))
    return f"{parts} = {split['total']:.2f}"


def http_load(env: Env, *, requests: int, concurrency: int, time_limit: float, port: int) -> dict:
    """gunicorn with 2 workers on loopback, a second process sends ``requests`` GETs, bounded in time."""
    environment = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",  # the deployed settings (docker-compose's web, the Dockerfile), bound here to loopback
            str(GUNICORN_CONF),
            "mediation_center.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=environment,
        cwd=settings.BASE_DIR,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", 30)
        pages = {
            "case_list.supervisor": ("supervisor", reverse("cases:list")),
            "case_page.typical": ("supervisor", reverse("cases:detail", args=[env.any_case.pk])),
            "case_page.long_timeline": ("supervisor", reverse("cases:detail", args=[env.long_case.pk])),
            "queue.first_page": ("mediator", reverse("routing:queue")),
            "dashboard.county": ("supervisor", reverse("cases:warnings_dashboard")),
            "bare_view.one_row": (None, reverse("bench-one-row", args=[env.any_case.pk])),
        }
        result = {"concurrency": concurrency, "pages": {}}

        def send(url: str, cookie: str, count: int, seconds: float) -> dict:
            load = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.load",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--cookie",
                    cookie,
                    "--requests",
                    str(count),
                    "--concurrency",
                    str(concurrency),
                    "--time-limit",
                    str(seconds),
                    url,
                ],
                capture_output=True,
                text=True,
                timeout=time_limit + 60,
                cwd=settings.BASE_DIR,
            )
            if load.returncode != 0:
                raise RuntimeError(
                    f"load client failed on {url}: {load.stdout[-1000:]} {load.stderr[-2000:]}"
                )
            return json.loads(load.stdout)

        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), pg_backend_pid()")
            database, own_backend = cursor.fetchone()
        # One phase per page, each with its share of the requests and of the time limit, after a short
        # untimed warm-up (each worker's first requests of a page fill its caches; it also opens the
        # database connections whose backends the CPU split reads).
        for name, (persona, url) in pages.items():
            cookie = ""
            if persona:
                session = env.client(persona).cookies[settings.SESSION_COOKIE_NAME].value
                cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
            send(url, cookie, HTTP_WARM_UP_REQUESTS, 30)
            split = CpuSplit(
                {
                    "workers": lambda: gunicorn_workers(server.pid),
                    "postgres": lambda: database_backends(database, own_backend),
                    "redis": redis_servers,
                }
            )
            with split:
                phase = send(url, cookie, max(1, requests // len(pages)), time_limit / len(pages))
            phase["cpu_ms_per_request"] = split.per_request(
                phase["sent"], client_seconds=phase["cpu_seconds"]
            )
            phase.pop("statuses", None)
            result["pages"][name] = phase
        phases = result["pages"].values()
        result["sent"] = sum(p["sent"] for p in phases)
        result["ok"] = sum(p["ok"] for p in phases)
        result["seconds"] = round(sum(p["seconds"] for p in phases), 2)
        result["rps"] = round(result["ok"] / result["seconds"], 1) if result["seconds"] else 0.0
        workers = gunicorn_workers(server.pid)
        result["worker_peak_rss_mb"] = [round(vm_hwm_mb(pid), 1) for pid in workers]
        result["workers"] = len(workers)
        return result
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_for(url: str, seconds: float) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {seconds} s")


# --- Output -----------------------------------------------------------------------------------


def table(results: list[dict]) -> str:
    header = f"{'operation':<28} {'p50 ms':>9} {'p95 ms':>9} {'queries':>8}  target"
    rows = [header, "-" * len(header)]
    for r in results:
        mark = "" if "meets_target" not in r else (" ✓" if r["meets_target"] else " ✗")
        rows.append(
            f"{r['name']:<28} {r['p50_ms']:>9.2f} {r['p95_ms']:>9.2f} {r['queries']:>8}  {r['target']}{mark}"
        )
    return "\n".join(rows)


def markdown(report: dict) -> str:
    lines = [
        f"Measured {report['date']} on {report['machine']} against {report['cases']:,} cases "
        f"(PostgreSQL {report['postgres']}), up to {report['repeat']} repetitions (column n) after 3 warm-up calls; "
        f"load average after the operations {report['load_average'][0]:.1f} (the machine is shared).",
        "",
        "| operation | n | p50 ms | p95 ms | SQL queries | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in report["operations"]:
        mark = "" if "meets_target" not in r else (" — met" if r["meets_target"] else " — **missed**")
        lines.append(
            f"| {r['name']} | {r['repeat']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['queries']} | {r['target']}{mark} |"
        )
    http = report.get("http")
    if http:
        lines += [
            "",
            f"HTTP through gunicorn (2 workers, 127.0.0.1), {http['concurrency']} client connections, "
            "one phase per page; web worker peak RSS (VmHWM) "
            f"{', '.join(f'{m:.0f} MB' for m in http['worker_peak_rss_mb'])}. CPU ms per request: the web "
            "workers, their PostgreSQL backends, Redis (the whole server) and the load client.",
            "",
            "| page | requests (200 OK) | requests/s | p50 ms | p95 ms | CPU ms: workers / postgres / redis / "
            "client = total |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, p in http["pages"].items():
            lines.append(
                f"| {name} | {p['ok']}/{p['sent']} | {p['rps']:.1f} | {p['p50_ms']:.0f} | {p['p95_ms']:.0f} "
                f"| {cpu_split_text(p.get('cpu_ms_per_request'))} |"
            )
        lines += ["", *(f"- {line}" for line in http_verdicts(http))]
    return "\n".join(lines) + "\n"


def machine() -> str:
    cores = os.cpu_count()
    try:
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{mem_kb / 1024 / 1024:.0f} GB"
    except (OSError, ValueError, IndexError):
        memory = "?"
    return f"{platform.machine()} {cores} cores, {memory} RAM, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--budget", type=float, default=60, help="seconds per operation at most (≥ 5 calls)")
    parser.add_argument("--only", nargs="*", help="names of operations to run")
    parser.add_argument("--explain", action="store_true", help="write bench/EXPLAIN.md")
    parser.add_argument("--explain-only", action="store_true", help="only write bench/EXPLAIN.md (no timing)")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--http-requests", type=int, default=400, help="split evenly over the pages")
    parser.add_argument("--http-concurrency", type=int, default=4)
    parser.add_argument("--http-time-limit", type=float, default=120)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--output", default=str(RESULTS_DIR / "latest.json"))
    parser.add_argument(
        "--growth",
        nargs=2,
        metavar=("SMALL_URL", "BIG_URL"),
        help="time each operation against two databases, interleaved, and print big/small (see run_growth)",
    )
    parser.add_argument("--rounds", type=int, default=6, help="--growth: rounds of interleaved calls")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # --growth's worker
    args = parser.parse_args(argv)
    if args.growth:
        return run_growth(args)
    if args.serve:
        return serve()

    if connection.vendor != "postgresql":
        raise SystemExit("the benchmark runs on PostgreSQL: set DATABASE_URL")
    env = build_env()
    ops = [OPERATIONS[name] for name in args.only] if args.only else list(OPERATIONS.values())
    if args.explain_only:
        explain(ops, env, BENCH_DIR / "EXPLAIN.md")
        print(f"wrote {BENCH_DIR / 'EXPLAIN.md'}")
        return 0
    results = []
    for op in ops:
        results.append(measure(op, env, args.repeat, budget_s=args.budget))
        print(f"  {op.name}: p50 {results[-1]['p50_ms']:.1f} ms", file=sys.stderr)
    check_relative_targets(results)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    report = {
        "date": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "postgres": postgres,
        "cases": Case.objects.count(),
        "repeat": args.repeat,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "operations": results,
        "env": {
            "county": env.county.name,
            "long_case_events": env.long_case.events.count(),
            "cases_below_county": Case.objects.filter(center__path__startswith=env.county.path).count(),
        },
    }
    print(table(results))
    if not args.no_http:
        report["http"] = http_load(
            env,
            requests=args.http_requests,
            concurrency=args.http_concurrency,
            time_limit=args.http_time_limit,
            port=args.port,
        )
        http = report["http"]
        for name, p in http["pages"].items():
            print(
                f"HTTP {name:<30} {p['rps']:7.1f} req/s ({p['ok']}/{p['sent']} OK, p50 {p['p50_ms']:.0f} ms), "
                f"CPU ms/request workers / postgres / redis / client = total: "
                f"{cpu_split_text(p.get('cpu_ms_per_request'))}"
            )
        print(f"HTTP web worker peak RSS {http['worker_peak_rss_mb']} MB")
        for line in http_verdicts(http):
            print(f"HTTP target {line}")
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    output.with_suffix(".md").write_text(markdown(report))
    print(f"wrote {output} and {output.with_suffix('.md')}")
    if args.explain:
        env.clients.clear()  # sessions idle through the HTTP run have timed out: sign in again
        explain(ops, env, BENCH_DIR / "EXPLAIN.md")
        print(f"wrote {BENCH_DIR / 'EXPLAIN.md'}")
    return 0


# --- Growth: the same operations against a small and a big database, interleaved ---------------------
GROWTH_LINE = "GROWTH "


def serve() -> int:
    """``--growth``'s worker on one database (DATABASE_URL): reads ``name calls`` lines, answers one
    ``GROWTH {json}`` line of timings each; an operation is set up (and warmed) on first use."""
    if connection.vendor != "postgresql":
        raise SystemExit("the benchmark runs on PostgreSQL: set DATABASE_URL")
    env = build_env()
    ready: dict[str, tuple] = {}
    pages: dict[str, int | None] = {}
    try:
        for line in sys.stdin:
            name, calls = line.split()
            op = OPERATIONS[name]
            if name not in ready:
                ready[name] = prepared(op, env)
                prepare, call, _teardown = ready[name]
                for _ in range(op.warmup):
                    prepare()
                    call()
            prepare, call, _teardown = ready[name]
            times = []
            for _ in range(int(calls)):
                prepare()
                start = time.perf_counter()
                call()
                times.append((time.perf_counter() - start) * 1000)
            below = Case.objects.filter(center__path__startswith=env.county.path).count()
            if name not in pages:
                prepare()
                pages[name] = pages_read(call)
            answer = {"name": name, "times": times, "county_cases": below, "pages": pages[name]}
            sys.stdout.write(GROWTH_LINE + json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        for _prepare, _call, teardown in ready.values():
            teardown()
    return 0


_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE)\b|\bFOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE)\b", re.IGNORECASE)


def pages_read(call) -> int | None:
    """The shared buffers (8 kB pages, from the cache or the disk) that ``call``'s reading statements touch:
    each SELECT it sends is run again under ``EXPLAIN (ANALYZE, BUFFERS)`` and the top node's counts (which
    include its children and init plans) are added up. Unlike a time, this does not depend on what else the
    machine is doing, so it shows whether an operation reads more rows on a bigger database even on a loaded
    machine. Statements that write or lock are not re-run (not counted); None when none could be measured."""
    statements: list[tuple[str, object]] = []

    def catch(execute, sql, params, many, context):
        if not many and sql.lstrip()[:6].upper() in ("SELECT", "WITH ") and not _WRITES.search(sql):
            statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(catch):
        call()
    total, measured = 0, 0
    for sql, params in statements:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
                plan = cursor.fetchone()[0]
        except DatabaseError:
            continue
        top = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
        total += top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
        measured += 1
    return total if measured else None


def run_growth(args) -> int:
    """Each operation against two databases in alternating turns (small, big, big, small, …), so both see the
    same machine load; prints p50 on each and the ratio big/small. Writes results/growth.json."""
    ops = [OPERATIONS[name] for name in args.only] if args.only else list(OPERATIONS.values())
    calls = max(1, args.repeat // args.rounds)
    workers = []
    for url in args.growth:
        workers.append(
            subprocess.Popen(
                [sys.executable, "-m", "bench.run", "--serve"],
                env={**os.environ, "DATABASE_URL": url},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=BENCH_DIR.parent,
            )
        )

    def ask(worker, name: str) -> dict:
        worker.stdin.write(f"{name} {calls}\n")
        worker.stdin.flush()
        for line in worker.stdout:
            if line.startswith(GROWTH_LINE):
                return json.loads(line[len(GROWTH_LINE) :])
        raise SystemExit(f"the worker stopped during {name}")

    results = []
    try:
        for op in ops:
            times: list[list[float]] = [[], []]
            county = [0, 0]
            pages: list[int | None] = [None, None]
            for r in range(args.rounds):
                for side in (0, 1) if r % 2 == 0 else (1, 0):
                    answer = ask(workers[side], op.name)
                    times[side] += answer["times"]
                    county[side] = answer["county_cases"]
                    pages[side] = answer["pages"]
            small, big = (statistics.median(t) for t in times)
            results.append(
                {
                    "name": op.name,
                    "small_p50_ms": round(small, 2),
                    "big_p50_ms": round(big, 2),
                    "ratio": round(big / small, 2) if small else None,
                    "county_cases": county,
                    "pages_read": pages,
                    "pages_ratio": round(pages[1] / pages[0], 2)
                    if pages[0] and pages[1] is not None
                    else None,
                }
            )
            print(f"  {op.name}: {small:.1f} ms / {big:.1f} ms = {results[-1]['ratio']}×", file=sys.stderr)
    finally:
        for worker in workers:
            worker.stdin.close()
            worker.wait(timeout=120)
    width = max(len(r["name"]) for r in results)
    print(f"{'operation':<{width}}  small p50  big p50   ratio   pages read (small/big, ratio)  county cases")
    for r in results:
        small_pages, big_pages = (p if p is not None else "-" for p in r["pages_read"])
        pages_ratio = f"{r['pages_ratio']:.2f}×" if r["pages_ratio"] is not None else "-"
        print(
            f"{r['name']:<{width}}  {r['small_p50_ms']:7.1f}  {r['big_p50_ms']:7.1f}  {r['ratio']:5.2f}×  "
            f"{small_pages:>8}/{big_pages:<8} {pages_ratio:>7}  {r['county_cases'][0]}/{r['county_cases'][1]}"
        )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "growth.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


# --- The operations the merged code supports today ------------------------------------------------


@operation("intake.register_case", target_ms=25, writes=True)
def intake_register_case(env: Env):
    from cases.intake.services import CaseData, PartyData, register_case

    dispute_type = DisputeType.objects.get(code="neighbour")

    def register():
        return register_case(
            center=env.county,
            actor=env.clerk,
            data=CaseData(
                dispute_type=dispute_type,
                summary="邻里之间因排水沟堵塞发生争执，双方多次协商未果。",
                parties=[
                    PartyData(
                        role=Party.Role.APPLICANT,
                        name="张伟",
                        id_type=Party.IdType.RESIDENT_ID,
                        id_number="11010519491231002X",
                        phone="13812345678",
                    ),
                    PartyData(role=Party.Role.RESPONDENT, name="李强", phone="13987654321"),
                ],
            ),
        )

    return register


page("case_list.supervisor", "supervisor", lambda env: reverse("cases:list"))
page(
    "case_list.supervisor_filtered", "supervisor", lambda env: reverse("cases:list") + "?status=in_mediation"
)
page("case_list.clerk", "clerk", lambda env: reverse("cases:list"))
# The list's other common filters for the county supervisor (issue 17: none may fall off a cliff): a terminal
# status, a level and above, an exact level, a channel, the overdue ones, a month of registrations.
for _name, _query in (
    ("status_closed", "status=closed"),
    ("status_not_accepted", "status=not_accepted"),
    ("level", "level=2"),
    ("lv", "lv=1"),
    ("channel", "channel=2"),
    ("channel_open", "channel=2&open=1"),
    ("overdue", "overdue=1"),
    ("registered_month", "registered_from=2026-11-01&registered_to=2026-11-30"),
):
    page(f"case_list.filter_{_name}", "supervisor", lambda env, q=_query: reverse("cases:list") + "?" + q)
page(
    "case_page.long_timeline",
    "supervisor",
    lambda env: reverse("cases:detail", args=[env.long_case.pk]),
    target_ms=60,
)
page("case_page.typical", "supervisor", lambda env: reverse("cases:detail", args=[env.any_case.pk]))
page("bare_view.one_row", None, lambda env: reverse("bench-one-row", args=[env.any_case.pk]))


@operation("receipt_pdf.bench_template", target_ms=800, repeat=10)
def receipt_pdf(env: Env):
    """The receipt-shaped template of the first round, kept to compare with intake's real receipt."""
    from cases.documents.pdf import qr_data_uri, render_pdf

    def render():
        case = Case.objects.select_related("origin_center", "dispute_type").get(pk=env.any_case.pk)
        parties = list(case.parties.all())
        return render_pdf(
            "bench/receipt.html",
            {
                "case": case,
                "parties": parties,
                "qr": qr_data_uri(f"{settings.PUBLIC_BASE_URL}/q/{case.tracking_code}"),
            },
        )

    return render


# --- Intake: the Open311 API POST, as an external system (the 12345 hotline) ----------------------

_external_ids = count(1)


def bench_system(env: Env) -> User:
    """The bench's external system (created once): a system user with a DRF token, pushing to the county."""
    from accounts.models import ExternalSystem

    user, _ = User.objects.get_or_create(
        username="bench-12345", defaults={"kind": User.Kind.SYSTEM, "display_name": "12345热线（压测）"}
    )
    ExternalSystem.objects.get_or_create(
        code="bench12345",
        defaults={"name": "12345热线（压测）", "user": user, "center": env.county, "source": "hotline_12345"},
    )
    return user


@operation("intake.api_post", target_ms=25, writes=True)
def intake_api_post(env: Env):
    from rest_framework.authtoken.models import Token

    token = Token.objects.get_or_create(user=bench_system(env))[0].key
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    url = reverse("open311-requests")
    run_id = time.time_ns()

    def post():
        response = client.post(
            url,
            {
                "service_code": "neighbour",
                "external_id": f"bench-{run_id}-{next(_external_ids)}",
                "description": "来电反映邻居装修噪音扰民，多次沟通未果，请求调解。",
                "address_string": "人民路12号",
                "last_name": "张",
                "first_name": "伟",
                "phone": "13812345678",
            },
            content_type="application/json",
        )
        if response.status_code != 201:
            raise AssertionError(f"intake.api_post answered {response.status_code}: {response.content[:300]}")
        return response

    return post


# --- Intake: the real acceptance receipt (受理回执) --------------------------------------------------
page(
    "receipt_pdf.acceptance",
    "supervisor",
    lambda env: reverse("cases:intake-receipt", args=[env.receipt_case.pk]),
    target_ms=800,
)

# --- Routing: the mediator's queue (their open cases), first page and filtered by warning level ----
page("queue.first_page", "mediator", lambda env: reverse("routing:queue"), target_ms=40)
page(
    "queue.warning_filter",
    "mediator",
    lambda env: reverse("routing:queue") + "?warning_level=1",
    target_ms=40,
)
page("queue.channel_tab", "mediator", lambda env: reverse("routing:queue") + "?tab=channel")

# --- Warnings: the supervisor dashboard of the county (all its towns and villages) --------------------
page("dashboard.county", "supervisor", lambda env: reverse("cases:warnings_dashboard"), target_ms=150)


# --- Portal: the citizen status lookup (tracking code + last four digits of a party's phone) ---------
def _lookup_data(env: Env) -> str:
    """The lookup form's fields as a browser posts them: the form has no file field, so the body is
    ``application/x-www-form-urlencoded`` (the test client's default would be multipart)."""
    if "lookup" not in env.clients:
        party = env.any_case.parties.exclude(phone="").order_by("pk").first()
        env.clients["lookup"] = urlencode(
            {"code": env.any_case.tracking_code, "phone_last4": party.phone[-4:]}
        )
    return env.clients["lookup"]


page(
    "status_lookup",
    None,
    lambda env: reverse("portal:status"),
    method="post",
    data=_lookup_data,
    content_type="application/x-www-form-urlencoded",
    relative_to=("bare_view.one_row", 3),  # issue 17 item 4 (issue 8 asked 2×)
)


# --- Warnings: the escalation sweep with 10,000 cases due, and with none due -----------------------
def _sweep_backlog() -> int:
    """Sweep what is due already (the generated next checks fall due as hours pass), untimed."""
    from cases.warnings.sweep import sweep_due_cases

    return sweep_due_cases()


@operation("sweep.10000_due", target_ms=3000, repeat=5, writes=True, warmup=1)
def sweep_10000(env: Env):
    from datetime import timedelta

    from cases.core.states import OPEN_STATUSES
    from cases.warnings.sweep import sweep_due_cases

    _sweep_backlog()
    rows = list(
        Case.objects.filter(status__in=OPEN_STATUSES)
        .order_by("-id")
        .values_list("id", "next_check_at")[:10000]
    )
    ids = [pk for pk, _ in rows]

    def prepare():
        Case.objects.filter(pk__in=ids).update(next_check_at=timezone.now() - timedelta(minutes=1))

    def restore():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_case c SET next_check_at = v.at FROM unnest(%s::bigint[], %s::timestamptz[]) "
                "AS v(id, at) WHERE c.id = v.id",
                [ids, [at for _, at in rows]],
            )
            # Each call rewrote 10,000 case rows; without this the dead rows left behind would slow
            # the operations measured after this one (autovacuum catches up only later).
            if connection.vendor == "postgresql" and not connection.in_atomic_block:  # tests run in one
                cursor.execute("VACUUM (ANALYZE) cases_case")

    return prepare, sweep_due_cases, restore


@operation("sweep.10000_escalating", target_ms=1000, repeat=5, writes=True, warmup=1)
def sweep_10000_escalating(env: Env):
    """The sweep at equal work (issue 17 item 5): 10,000 due cases of which every one changes level.

    Before each call the 10,000 newest open cases are put at blue with a mass-incident flag (red by the
    risk rules, ``risk_mass_incident_level``) and made due, so the sweep escalates every one of them: a
    ``WarningChange`` row, a timeline event and the escalation notifications (their e-mails queued) each.
    The end puts the flags, levels and next checks back as they were; the change rows, events and
    notifications the calls wrote stay (the events are append-only, records/)."""
    from datetime import timedelta

    from cases.core.states import OPEN_STATUSES
    from cases.warnings.sweep import CASE_LEVEL_FIELDS, sweep_due_cases
    from mediation_center.dialect import update_rows

    _sweep_backlog()
    columns = ["id", "risk_mass_incident", *CASE_LEVEL_FIELDS]
    rows = list(Case.objects.filter(status__in=OPEN_STATUSES).order_by("-id").values_list(*columns)[:10000])
    ids = [row[0] for row in rows]

    def prepare():
        Case.objects.filter(pk__in=ids).update(
            risk_mass_incident=True,
            risk_level=1,
            time_level=1,
            warning_level=1,
            next_check_at=timezone.now() - timedelta(minutes=1),
        )

    def restore():
        update_rows(Case, columns[1:], rows)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:  # (see sweep.10000_due)
                cursor.execute("VACUUM (ANALYZE) cases_case")

    return prepare, sweep_due_cases, restore


@operation("sweep.none_due", target_ms=50, writes=True)
def sweep_none(env: Env):
    from cases.warnings.sweep import sweep_due_cases

    _sweep_backlog()
    return sweep_due_cases


# Each capability keeps its operations in its own module, bench/ops_<area>.py, which registers them with
# @operation / page(...) from this module when imported here.
def _load_area_operations() -> None:
    import importlib

    for path in sorted(BENCH_DIR.glob("ops_*.py")):
        importlib.import_module(f"bench.{path.stem}")


_load_area_operations()

if __name__ == "__main__":
    sys.exit(main())
