#!/usr/bin/env bash
# The static checks of .ci/run (and of the pre-commit hooks, file by file): ruff's rules, ruff's
# format, and mypy with the [tool.mypy] settings of pyproject.toml. Exit 1 when any fails.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
echo "== ruff check =="
.venv/bin/ruff check . || status=1
echo "== ruff format --check =="
.venv/bin/ruff format --check . || status=1
echo "== mypy =="
.venv/bin/mypy || status=1
exit $status
