#!/usr/bin/env bash
# Time `manage.py import_teachers` of N new rows into districts of several sizes, on PostgreSQL (issue 9).
#   bench/import_speed.sh [ROWS] [SIZES…]      e.g. bench/import_speed.sh 3000 3000 30000
# Each size is seeded once into a template database (rmo_import_bench_<size>); each run imports into a fresh copy.
# PG_URL (default postgres://postgres@127.0.0.1:5432) names the server; nothing else on it is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
ROWS=${1:-3000}
shift || true
SIZES=("${@:-3000 30000}")
PY=.venv/bin/python
FILE=var/bench-import-$ROWS.xlsx
[ -f "$FILE" ] || $PY bench/import_file.py "$FILE" --rows "$ROWS"
for size in ${SIZES[@]}; do
  template=rmo_import_bench_$size
  if ! psql "$PG_URL/postgres" -tAc "select 1 from pg_database where datname='$template'" | grep -q 1; then
    psql "$PG_URL/postgres" -qc "create database $template"
    DATABASE_URL=$PG_URL/$template $PY manage.py migrate -v0
    DATABASE_URL=$PG_URL/$template $PY manage.py seed_large_district --teachers "$size"
  fi
  psql "$PG_URL/postgres" -qc "drop database if exists rmo_import_bench" -c "create database rmo_import_bench template $template"
  start=$(date +%s.%N)
  DATABASE_URL=$PG_URL/rmo_import_bench $PY manage.py import_teachers "$FILE" | tail -1
  end=$(date +%s.%N)
  printf 'district %s teachers, %s new rows: %.1f s\n' "$size" "$ROWS" "$(echo "$end - $start" | bc)"
done
