"""pytest plugin for mutation runs only (``[tool.mutmut]`` adds ``-p motcua_mutation_isolation``;
``scripts/mutation.py`` puts this folder on ``PYTHONPATH``).

mutmut runs each mutant's tests in a child forked from one warmed-up process, so two children at
once would share that process's SQLite test database and data folder. In a forked child this gives
the run its own copy of both (the migrated database, taken with SQLite's backup API), and removes
the copy when the run ends. In the process that imported it, it does nothing: the ordinary suite is
never affected.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

_PARENT = os.getpid()
_COPY: Path | None = None


def pytest_configure(config) -> None:
    global _COPY
    if os.getpid() == _PARENT or os.environ.get("DATABASE_URL"):
        return
    from core.db.piccolo_conf import DB
    from core.settings import get_settings

    old = get_settings()
    new = Path(tempfile.mkdtemp(prefix="motcua-mutant-"))
    for item in old.data_dir.iterdir():
        if item.name.startswith(old.sqlite_path.name):
            continue
        (shutil.copytree if item.is_dir() else shutil.copy2)(item, new / item.name)
    src = sqlite3.connect(old.sqlite_path, timeout=30)
    dst = sqlite3.connect(new / old.sqlite_path.name)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    os.environ["MOTCUA_DATA_DIR"] = str(new)
    get_settings.cache_clear()
    DB.path = str(get_settings().sqlite_path)
    _COPY = new


def pytest_unconfigure(config) -> None:
    if _COPY is not None:
        shutil.rmtree(_COPY, ignore_errors=True)
