#!/usr/bin/env bash
# Regenerate the initial migration of every Piccolo app from the current tables (pre-release only:
# no database outside development exists yet). Then the hand-written constraint migrations, whose
# ids sort after the generated ones, apply on top. Run under flock: helpers may call it at once.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export PICCOLO_CONF=core.db.piccolo_conf
export MOTCUA_DATA_DIR=${MOTCUA_DATA_DIR:-$(mktemp -d)}
for app_dir in migrations/*/; do
  app=$(basename "$app_dir")
  [ "$app" = "__pycache__" ] && continue
  find "$app_dir" -maxdepth 1 -name "${app}_2*.py" ! -name "*_constraints.py" -delete
done
for app in $($PY -c "from core.db.piccolo_conf import APP_REGISTRY; print(' '.join(a.app_name for a in APP_REGISTRY.app_configs.values()))"); do
  mkdir -p "migrations/$app"; touch "migrations/$app/__init__.py"
  .venv/bin/piccolo migrations new "$app" --auto --desc "initial" >/dev/null
  f=$(ls -1 "migrations/$app/${app}_2"*.py | grep -v _constraints | head -1)
  # a fixed id keeps the file stable across regenerations
  sed -i -E "s/^ID = \".*\"/ID = \"2026-11-01T00:00:00:000000\"/" "$f"
  mv "$f" "migrations/$app/${app}_2026_11_01t00_00_00_000000.py" 2>/dev/null || true
done
echo "migrations regenerated"
