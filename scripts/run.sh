#!/usr/bin/env bash
# make run: set up, migrate, load demo data once, start web + Celery worker + beat; Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh pdf  # Pango + Noto CJK for PDFs: installed as root, else named
bash scripts/setup.sh
# Exported so that settings.py derives PUBLIC_BASE_URL (the receipts' QR code) from them when unset.
export HOST=${HOST:-127.0.0.1}
export PORT=${PORT:-8000}
PY=.venv/bin/python
$PY manage.py migrate --noinput -v0
$PY manage.py load_demo
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "==> stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT
# Every start, read from the database: the URL, each demo login with its role and center, the API token
# (before the worker starts, so its log does not interleave).
$PY manage.py demo_logins --base-url "http://$HOST:$PORT/"
.venv/bin/celery -A mediation_center worker -B --loglevel=INFO --concurrency=2 \
  --schedule="${DATA_DIR:-data}/celerybeat-schedule" &
pids+=($!)
$PY manage.py runserver "$HOST:$PORT" --noreload &
pids+=($!)
wait -n "${pids[@]}"
