"""The settings switch: embedded SQLite + filesystem broker by default, PostgreSQL + Redis by URL."""

import ipaddress
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

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
    assert got["engine"] == "mediation_center.db.postgresql"  # Django's, with prepared reads logged as written
    assert got["broker"] == "redis://cache.example:6379/1"
    assert got["cache"] == "mediation_center.cache.RedisCache"  # Django's, one client per pool
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


QR_PROBE = (
    "import django; django.setup(); from urllib.parse import urlsplit; from django.http import HttpRequest; "
    "from cases.models import Case; from cases.documents.receipt import status_url\n"
    "url = status_url(Case(tracking_code='T1')); request = HttpRequest()\n"
    "request.META = {'HTTP_HOST': urlsplit(url).netloc, 'SERVER_NAME': 'x', 'SERVER_PORT': '1'}\n"
    "request.get_host()  # DisallowedHost unless the portal answers at the QR code's host\n"
    "print(url)"
)


def _receipt_qr_url(env_overrides: dict, tmp_path) -> str:
    drop = {"DATABASE_URL", "REDIS_URL", "DJANGO_MODE", "HOST", "PORT", "PUBLIC_BASE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update({"DJANGO_SETTINGS_MODULE": "mediation_center.settings", "DATA_DIR": str(tmp_path)})
    env.update(env_overrides)
    out = subprocess.run(
        [sys.executable, "-c", QR_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def test_receipt_qr_opens_the_portal_make_run_serves(tmp_path):
    assert _receipt_qr_url({}, tmp_path) == "http://127.0.0.1:8000/portal/status/?code=T1"
    served = {"HOST": "192.168.10.7", "PORT": "8080"}
    assert _receipt_qr_url(served, tmp_path) == "http://192.168.10.7:8080/portal/status/?code=T1"
    assert (
        _receipt_qr_url({"HOST": "::1", "PORT": "8080"}, tmp_path)
        == "http://[::1]:8080/portal/status/?code=T1"
    )


def test_receipt_qr_on_every_interface_names_this_machines_address(tmp_path):
    url = urlsplit(_receipt_qr_url({"HOST": "0.0.0.0", "PORT": "8080"}, tmp_path))
    assert url.port == 8080 and url.path == "/portal/status/"
    assert ipaddress.ip_address(url.hostname) and url.hostname != "0.0.0.0"


def test_public_base_url_wins_over_host_and_port(tmp_path):
    env = {"PUBLIC_BASE_URL": "https://mediation.example.cn/", "HOST": "0.0.0.0", "PORT": "8080"}
    assert _receipt_qr_url(env, tmp_path) == "https://mediation.example.cn/portal/status/?code=T1"


@pytest.mark.postgres
def test_suite_runs_on_postgresql_when_configured(db):
    from django.db import connection

    assert connection.vendor == "postgresql"
