#!/usr/bin/env bash
# The production topology, started for real (tests/integration/test_production_smoke.py): PostgreSQL +
# Redis + `motcua serve --workers 2` + one `motcua worker`, a dossier driven over HTTP from submission to
# returned result with the PDFs rendered by the arq worker, then everything stopped. Run by scripts/test.sh
# after the suite (when PostgreSQL and Redis are there); by hand: bash scripts/smoke.sh (PostgreSQL and Redis must be running).
# Its own database (dropped and recreated) and Redis database, so it never meets the suite's.
set -uo pipefail
cd "$(dirname "$0")/.."
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX=${PYTHONPYCACHEPREFIX:-$PWD/.venv/pycache}
echo "== Khói: 2 tiến trình ứng dụng + 1 worker arq trên PostgreSQL + Redis (scripts/smoke.sh) =="
MOTCUA_SMOKE=1 \
  DATABASE_URL=${MOTCUA_SMOKE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/motcua_test_smoke} \
  REDIS_URL=${MOTCUA_SMOKE_REDIS_URL:-redis://127.0.0.1:6379/14} \
  timeout 600 .venv/bin/python -m pytest -q -p no:cacheprovider -rs tests/integration/test_production_smoke.py
