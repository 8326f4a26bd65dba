"""motcua core: identity, catalogue, dossier lifecycle, clock, fees, documents, jobs, web shell.

Plugins import only ``core.api``."""

import os

# Piccolo finds its engine through this module (tables resolve the engine lazily, at query time).
os.environ.setdefault("PICCOLO_CONF", "core.db.piccolo_conf")
