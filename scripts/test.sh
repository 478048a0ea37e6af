#!/usr/bin/env bash
# make test: set up and run the whole suite (PostgreSQL when DATABASE_URL is set, SQLite otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
bash scripts/setup.sh
if command -v docker-compose >/dev/null 2>&1; then
  echo "==> docker-compose config -q"
  SECRET_KEY=${SECRET_KEY:-only-for-the-compose-syntax-check} docker-compose -f docker-compose.yml config -q
fi
.venv/bin/ruff check . 
.venv/bin/python manage.py makemigrations --check --dry-run -v0
export DB_CONN_MAX_AGE=${DB_CONN_MAX_AGE:-0}  # live-server threads must not keep test DB connections open
exec .venv/bin/pytest "$@"
