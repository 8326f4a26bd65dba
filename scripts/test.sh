#!/usr/bin/env bash
# Install everything and run the whole suite: once on the embedded default (SQLite, in-process jobs),
# then on PostgreSQL + Redis. With CI=true a missing PostgreSQL or Redis is a failure (started first
# when installed but stopped); without CI the second run is skipped when they are not reachable.
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

status=0
echo "== Bộ kiểm thử 1/2: SQLite nhúng, tác vụ nền trong tiến trình =="
env -u DATABASE_URL -u REDIS_URL .venv/bin/python -m pytest -q -p no:cacheprovider "$@" || status=1

if ensure_services; then
  echo "== Bộ kiểm thử 2/2: PostgreSQL + Redis =="
  DATABASE_URL=$PG_URL REDIS_URL=$REDIS_TEST_URL .venv/bin/python -m pytest -q -p no:cacheprovider "$@" || status=1
elif [ "${CI:-}" = "true" ]; then
  echo "LỖI: không có PostgreSQL (5432) hoặc Redis (6379) — CI bắt buộc chạy cả hai." >&2
  status=1
else
  echo "Bỏ qua lượt PostgreSQL + Redis: không kết nối được (đặt CI=true để coi là lỗi)."
fi
exit $status
