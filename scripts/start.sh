#!/usr/bin/env bash
# Install, load the demo province (safe to repeat) and serve on http://127.0.0.1:8000 —
# embedded default: SQLite file in ./var, in-process background jobs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/motcua demo
exec .venv/bin/motcua serve --host 127.0.0.1 --port 8000
