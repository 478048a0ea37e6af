"""A real Celery worker and beat (subprocesses) against the test database and the configured broker.

On the embedded default that is the SQLite test database (a file, see tests/conftest.py) and the
filesystem broker in a fresh folder, as `make run` uses them; with DATABASE_URL / REDIS_URL set it
is the test PostgreSQL database and Redis.

A case runs on a one-minute clock that started 20 seconds ago: blue now, red in 40 seconds. Beat
(django-celery-beat, 2-second interval) queues the sweep; the worker is stopped for a while to show
that the sweep catches up once a worker is back.
"""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cases.models import (
    Case,
    DeadlinePolicy,
    DisputeType,
    PolicyClock,
    WarningChange,
    WarningLevel,
    WarningSetting,
)
from cases.warnings.seed import seed_sweep_schedule
from cases.warnings.sweep import on_case_changed

pytestmark = [pytest.mark.celery_live, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def _env(data_dir: Path) -> dict:
    test_db = connection.settings_dict["NAME"]
    if settings.IS_POSTGRES:
        test_db = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + test_db))
    else:
        assert Path(test_db).is_file(), (
            f"the SQLite test database must be a file a worker can open: {test_db}"
        )
        test_db = f"sqlite:///{test_db}"
    env = {
        **os.environ,
        "DATABASE_URL": test_db,
        "DB_CONN_MAX_AGE": "0",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # Its own DATA_DIR: on the filesystem broker a fresh, empty queue folder.
        "DATA_DIR": str(data_dir),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _start(*args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [CELERY, "-A", "mediation_center", *args],
        cwd=ROOT,
        env=_env(log.parent / "celery-data"),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _level(case) -> int:
    return Case.objects.values_list("warning_level", flat=True).get(pk=case.pk)


def test_worker_and_beat_turn_a_case_from_blue_to_red(make_case, tmp_path):
    if settings.CELERY_BROKER_URL.startswith("redis"):
        import redis

        redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()  # this area's own Redis database
    WarningSetting.objects.filter(key="time_orange_working_days").update(value=0)
    policy = DeadlinePolicy.objects.create(
        code="live-test", name="测试用一分钟时限", dispute_type=DisputeType.objects.get(code="other")
    )
    PolicyClock.objects.create(
        policy=policy,
        code="first-response",
        name="首次响应",
        start_trigger="assigned",
        stop_trigger="concluded",
        length=1,
        unit="minutes",
    )
    case = make_case(dispute_type=DisputeType.objects.get(code="other"))
    assert _level(case) == WarningLevel.BLUE
    seed_sweep_schedule(every_seconds=2)

    log = tmp_path / "celery.log"
    beat = _start("beat", "-l", "info", "--max-interval", "1", "-s", str(tmp_path / "beat-schedule"), log=log)
    worker = _start("worker", "-l", "info", "--pool", "solo", "--without-mingle", "--without-gossip", log=log)

    def sweeps_done() -> int:
        return log.read_bytes().count(b"succeeded")

    try:
        # Starting Celery on a loaded 2-core machine takes a while: wait until both are up.
        # (beat writes total_run_count back only when it syncs, minutes apart: read its log instead)
        _wait(
            lambda: b"Sending due task warnings.sweep" in log.read_bytes(), 90, "beat to schedule the sweep"
        )
        _wait(lambda: b"sweep_warnings" in log.read_bytes() and sweeps_done() >= 1, 90, "a first sweep")
        # Only now does the one-minute clock start (20 s ago), so the test does not race the start-up.
        started = timezone.now() - dt.timedelta(seconds=20)
        on_case_changed(case, trigger="assigned", at=started)
        assert _level(case) == WarningLevel.BLUE
        before = sweeps_done()
        _wait(lambda: sweeps_done() >= before + 2, 30, "sweeps with the clock running")
        # The worker swept while the clock still had time left: not red yet (yellow from 80%).
        assert _level(case) in (WarningLevel.BLUE, WarningLevel.YELLOW)
        _stop(worker)  # the worker goes away; beat keeps queueing sweeps in the broker

        due = started + dt.timedelta(minutes=1)
        time.sleep(max((due - timezone.now()).total_seconds(), 0) + 2)
        assert _level(case) != WarningLevel.RED  # overdue, but nobody has swept yet

        worker = _start(
            "worker", "-l", "info", "--pool", "solo", "--without-mingle", "--without-gossip", log=log
        )
        _wait(lambda: _level(case) == WarningLevel.RED, 60, "the case to turn red")
    finally:
        _stop(worker)
        _stop(beat)
    reds = WarningChange.objects.filter(case=case, to_level=WarningLevel.RED)
    assert reds.count() == 1 and reds.get().actor is None and "首次响应" in reds.get().reason
    case.refresh_from_db()
    assert case.response_due_at is not None and case.time_level == WarningLevel.RED
