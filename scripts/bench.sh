#!/usr/bin/env bash
# make bench: a PostgreSQL database with BENCH_CASES generated cases, then the benchmark (bench/README.md).
#   BENCH_CASES=100000 make bench         # a smaller run
#   BENCH_ARGS="--explain" make bench     # also write bench/EXPLAIN.md
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mc_bench_big}
export DJANGO_SETTINGS_MODULE=bench.settings
export DB_CONN_MAX_AGE=${DB_CONN_MAX_AGE:-60}
BENCH_CASES=${BENCH_CASES:-1000000}
PY=.venv/bin/python
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "the benchmark needs PostgreSQL: DATABASE_URL=postgres://..." >&2; exit 2 ;;
esac
# Create the database if it is missing (needs the psql client and a role allowed to create databases).
db_name=${DATABASE_URL##*/}; db_name=${db_name%%\?*}
server_url=${DATABASE_URL%/*}/postgres
if command -v psql >/dev/null 2>&1 && ! psql "$DATABASE_URL" -Atc 'select 1' >/dev/null 2>&1; then
  echo "==> creating database $db_name"
  psql "$server_url" -c "create database \"$db_name\""
fi
$PY manage.py migrate --noinput -v0
have=$($PY manage.py shell -c 'from cases.models import Case; print(Case.objects.count())' | tail -1)
if [ "$have" -lt "$BENCH_CASES" ]; then
  echo "==> generating $((BENCH_CASES - have)) cases (the database holds $have)"
  $PY manage.py generate_data --cases $((BENCH_CASES - have))
fi
# Sessions (and participants), agreements (and signatures), visits, assignments, clocks, evaluations,
# ratings, summonses, supervision orders for cases generated before those tables existed
# (resumable and idempotent per table; a no-op when every case has them).
$PY manage.py generate_data --only-extra | tail -3
# The search index of cases the generator wrote with COPY, past the services that index them (search/):
# `rebuild_search_index --missing`'s indexer with the segmentation memoised, on both cores (bench/index.py).
$PY -m bench.index --workers 2
echo "==> benchmark against $BENCH_CASES+ cases"
# shellcheck disable=SC2086
exec $PY -m bench.run ${BENCH_ARGS:-}
