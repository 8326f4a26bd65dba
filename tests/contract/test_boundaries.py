"""Plugins import only ``core.api``; core never imports a plugin and never names a domain."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"
CORE = ROOT / "core"


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_plugins_import_only_core_api_and_themselves():
    offenders = []
    for path in PLUGINS.rglob("*.py"):
        own = path.relative_to(PLUGINS).parts[0]
        for name in _imports(path):
            top = name.split(".")
            if top[0] == "core" and name != "core.api":
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
            if top[0] == "plugins" and (len(top) < 2 or top[1] != own):
                offenders.append(f"{path.relative_to(ROOT)} imports another plugin: {name}")
    assert not offenders, "\n".join(offenders)


def test_core_never_imports_plugins():
    offenders = [
        f"{p.relative_to(ROOT)} imports {n}"
        for p in CORE.rglob("*.py")
        for n in _imports(p)
        if n.split(".")[0] == "plugins"
    ]
    assert not offenders, "\n".join(offenders)


DOMAIN_WORDS = re.compile(
    r"\b(land|parcels?|business(es)?|enterprises?|civil[ _]status|birth|marriage|death|"
    r"đất đai|thửa đất|kinh doanh|doanh nghiệp|hộ tịch|khai sinh|kết hôn|khai tử)\b",
    re.IGNORECASE,
)


def test_core_does_not_name_a_domain():
    """Core is domain-agnostic: domains live in plugins (issue 4, 'proof that the contract is real')."""
    offenders = []
    for path in CORE.rglob("*"):
        if path.suffix not in {".py", ".html", ".css", ".js", ".json", ".toml"} or "vendor" in path.parts:
            continue
        if path.parent.name == "translations" or path.name == "vsic.json":
            continue  # UI catalogues and the national industry list are data, not domain logic
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if m := DOMAIN_WORDS.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}: {m.group(0)!r}")
    assert not offenders, "\n".join(offenders[:40])
