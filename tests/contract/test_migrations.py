"""Migrations are hand-written by several people at once: their ids must never collide.

Piccolo records an applied migration by app and id. Two files of one app with the same id: the second
is taken as applied and never runs on a database that ran the first (it happened twice). The id must
also be the file's own timestamp, so the file order is the order they run in.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_NAME = re.compile(r"^(?P<app>[a-z_]+?)_(?P<stamp>\d{4}_\d{2}_\d{2}t\d{2}_\d{2}_\d{2})(?:_\w+)?\.py$")


def _migrations() -> list[tuple[str, Path, str]]:
    """(app folder, file, ID) of every migration file in the repository."""
    out = []
    for path in sorted(ROOT.glob("migrations/*/*.py")):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ids = [
            node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "ID" for t in node.targets)
            and isinstance(node.value, ast.Constant)
        ]
        assert len(ids) == 1, f"{path.relative_to(ROOT)}: one module-level ID = '...' string expected"
        out.append((path.parent.name, path, ids[0]))
    return out


def test_there_are_migrations_to_check():
    apps = {app for app, _, _ in _migrations()}
    assert {"core", "land", "civil_status", "business_reg"} <= apps


def test_no_two_migrations_of_an_app_share_an_id():
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for app, path, mid in _migrations():
        seen[(app, mid)].append(path.name)
    clashes = {f"{app} {mid}": files for (app, mid), files in seen.items() if len(files) > 1}
    assert not clashes, f"migration ids used twice (give one a new timestamp): {clashes}"


def test_each_id_is_its_files_timestamp():
    """``core_2026_12_03t17_38_01_queue_ticket_number.py`` has ID ``2026-12-03T17:38:01:…``."""
    wrong = []
    for app, path, mid in _migrations():
        m = _NAME.match(path.name)
        assert m and m["app"] == app, (
            f"{path.relative_to(ROOT)}: name must be {app}_YYYY_MM_DDtHH_MM_SS[_what].py"
        )
        d, t = m["stamp"].split("t")
        expected = d.replace("_", "-") + "T" + t.replace("_", ":")
        if not mid.startswith(expected + ":"):
            wrong.append(f"{path.name}: ID {mid!r}, file says {expected}")
    assert not wrong, "\n".join(wrong)
