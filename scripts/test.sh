#!/usr/bin/env bash
# Install everything and run the whole suite: once on the embedded default (SQLite, in-process jobs),
# and once on PostgreSQL + Redis. With CI=true a missing PostgreSQL or Redis is a failure (started first
# when installed but stopped); without CI the second run is skipped when they are not reachable.
# The two runs go side by side (each is mostly one busy process: two cores finish both in the time of
# the longer); the SQLite run prints as it goes, the PostgreSQL run's output follows it whole.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test || exit 1

PG_URL=${MOTCUA_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/motcua_test}
REDIS_TEST_URL=${MOTCUA_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_services() {
  if ! port_open 5432 && command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  if ! port_open 6379 && command -v redis-server >/dev/null; then
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
  for _ in $(seq 1 20); do port_open 5432 && port_open 6379 && return 0; sleep 0.5; done
  return 1
}

# Compiled modules are kept (in .venv/pycache) even where PYTHONDONTWRITEBYTECODE is set: every run
# starts dozens of Python processes (the motcua command, PDF workers, the journeys' server), and
# compiling every imported module again in each costs more CPU than most tests.
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX=${PYTHONPYCACHEPREFIX:-$PWD/.venv/pycache}

status=0
pg_pid=""
pg_log=$(mktemp "${TMPDIR:-/tmp}/motcua-test-pg.XXXXXX")
trap '[ -n "$pg_pid" ] && kill "$pg_pid" 2>/dev/null; rm -f "$pg_log"' EXIT
if ensure_services; then
  # its screenshots beside the SQLite run's, not over them while both write
  DATABASE_URL=$PG_URL REDIS_URL=$REDIS_TEST_URL MOTCUA_E2E_SHOTS=${MOTCUA_E2E_SHOTS:-$PWD/test-results/postgres} \
    .venv/bin/python -m pytest -q -p no:cacheprovider --durations=25 "$@" >"$pg_log" 2>&1 &
  pg_pid=$!
elif [ "${CI:-}" = "true" ]; then
  echo "LỖI: không có PostgreSQL (5432) hoặc Redis (6379) — CI bắt buộc chạy cả hai." >&2
  status=1
else
  echo "Bỏ qua lượt PostgreSQL + Redis: không kết nối được (đặt CI=true để coi là lỗi)."
fi

echo "== Bộ kiểm thử 1/2: SQLite nhúng, tác vụ nền trong tiến trình =="
env -u DATABASE_URL -u REDIS_URL .venv/bin/python -m pytest -q -p no:cacheprovider --durations=25 "$@" || status=1

if [ -n "$pg_pid" ]; then
  echo "== Bộ kiểm thử 2/2: PostgreSQL + Redis (chạy song song với lượt 1) =="
  wait "$pg_pid" || status=1
  pg_pid=""
  cat "$pg_log"
  # the production topology (2 app processes + 1 arq worker) over HTTP: needs PostgreSQL + Redis
  bash scripts/smoke.sh || status=1
fi
exit $status
