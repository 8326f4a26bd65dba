#!/usr/bin/env bash
# Install motcua into ./.venv (idempotent). With --test: also the test tools, and (as root, when
# missing) Debian's chromium, poppler-utils, zbar-tools and fonts with Vietnamese coverage.
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0; [ "${1:-}" = "--test" ] && want_test=1

apt_pkgs=(fonts-liberation2 fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
[ $want_test = 1 ] && apt_pkgs+=(chromium poppler-utils zbar-tools)
missing=()
for p in "${apt_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Cài gói hệ thống: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Thiếu gói hệ thống (cần cài với quyền root): ${missing[*]}" >&2
  fi
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check uv >/dev/null
extras=""; [ $want_test = 1 ] && extras="[test]"
.venv/bin/uv pip install -q --python .venv/bin/python -e ".${extras}"
