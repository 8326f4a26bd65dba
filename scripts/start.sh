#!/usr/bin/env bash
# Install, load the demo province (safe to repeat) and serve on http://127.0.0.1:8000 —
# embedded default: SQLite file in ./var, in-process background jobs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/motcua demo
# The demo pays fees by the sandbox gateway (plugins/payment_sandbox: no real money); a production site
# never sets this. Its callbacks are signed with a key made for this run unless one is given.
export MOTCUA_PAYMENT_SANDBOX_SECRET="${MOTCUA_PAYMENT_SANDBOX_SECRET:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"
exec .venv/bin/motcua serve --host 127.0.0.1 --port 8000
