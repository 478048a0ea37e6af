"""The settings switch: embedded SQLite + filesystem broker by default, PostgreSQL + Redis by URL."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "from django.db import connection; "
    "mode = None\n"
    "if s.DATABASES['default']['ENGINE'].endswith('sqlite3'):\n"
    "    c = connection.cursor(); c.execute('PRAGMA journal_mode'); mode = c.fetchone()[0]\n"
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'broker': s.CELERY_BROKER_URL, "
    "'cache': s.CACHES['default']['BACKEND'], 'journal': mode, 'sessions': s.SESSION_ENGINE}))"
)


def _run(env_overrides: dict, tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_MODE"}}
    env.update({"DJANGO_SETTINGS_MODULE": "mediation_center.settings", "DATA_DIR": str(tmp_path)})
    env.update(env_overrides)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_defaults_are_embedded_sqlite_in_wal_mode_and_filesystem_broker(tmp_path):
    got = _run({}, tmp_path)
    assert got["engine"] == "django.db.backends.sqlite3"
    assert got["journal"] == "wal"
    assert got["broker"] == "filesystem://"
    assert (tmp_path / "broker" / "out").is_dir()


def test_urls_switch_to_postgresql_and_redis(tmp_path):
    got = _run(
        {"DATABASE_URL": "postgres://u:p@db.example:5432/x", "REDIS_URL": "redis://cache.example:6379/1"},
        tmp_path,
    )
    assert got["engine"] == "django.db.backends.postgresql"
    assert got["broker"] == "redis://cache.example:6379/1"
    assert got["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert got["sessions"] == "mediation_center.sessions"  # database rows read through Redis


def test_production_mode_passes_check_deploy_without_warnings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env.update(
        {
            "DJANGO_MODE": "production",
            "SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-check-0123456789",
            "ALLOWED_HOSTS": "mediation.example.gov.cn",
            "DATA_DIR": str(tmp_path),
        }
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_production_mode_refuses_a_missing_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"DJANGO_MODE": "production", "DATA_DIR": str(tmp_path)})
    out = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode != 0
    assert "SECRET_KEY" in out.stderr


@pytest.mark.postgres
def test_suite_runs_on_postgresql_when_configured(db):
    from django.db import connection

    assert connection.vendor == "postgresql"
