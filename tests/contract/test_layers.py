"""Core is layered (DESIGN.md, "Layout"): a package of ``core/`` imports only from the layers below
it, never from a layer above and never in a circle. Imports inside functions count, and so do
imports under ``TYPE_CHECKING``.

The layers are those written for import-linter in ``pyproject.toml`` (``lint-imports`` checks the
same rule in CI); this test walks ``core/`` with ``ast`` so the rule holds in every test run too,
without the tool.
"""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core"
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
LAYERS_CONTRACT = next(c for c in CONFIG["contracts"] if c["type"] == "layers")


def _layers() -> list[tuple[set[str], bool]]:
    """Top to bottom: the packages of each layer (``|``: independent of each other; ``:``: may import
    each other, without a circle)."""
    out = []
    for raw in LAYERS_CONTRACT["layers"]:
        sep = "|" if "|" in raw else ":"
        names = {n.strip().strip("()") for n in raw.split(sep)}
        out.append((names, sep == "|" or len(names) == 1))
    return out


LAYERS = _layers()
RANK = {name: i for i, (names, _) in enumerate(LAYERS) for name in names}
INDEPENDENT = {name: independent for names, independent in LAYERS for name in names}


def _ignored() -> set[tuple[str, str]]:
    """``importer -> imported`` module pairs import-linter is told to ignore (the lifecycle's edges)."""
    pairs = set()
    for line in LAYERS_CONTRACT.get("ignore_imports", []):
        importer, imported = (part.strip() for part in line.split("->"))
        pairs.add((importer, imported))
    return pairs


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "core" and len(parts) > 1 else None


def _imports() -> list[tuple[str, str, str]]:
    """``(importer module, imported module, "file:line")`` for every import of a core module by a core
    module, wherever it is written (module level, functions, ``TYPE_CHECKING``)."""
    found = []
    for path in sorted(CORE.rglob("*.py")):
        me = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # ``from core.x import y``: y may be a module (core.x.y) or a name in core.x
                names_modules = False
                for a in node.names:
                    sub = f"{node.module}.{a.name}"
                    if (CORE.parent / (sub.replace(".", "/") + ".py")).exists() or (
                        CORE.parent / sub.replace(".", "/")
                    ).is_dir():
                        targets.append(sub)
                        names_modules = True
                    elif not names_modules:
                        targets.append(node.module)
                targets = list(dict.fromkeys(targets))
            for target in targets:
                if target.split(".")[0] == "core":
                    found.append((me, target, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return found


IMPORTS = _imports()


def _edge_ignored(importer: str, imported: str, ignored: set[tuple[str, str]]) -> bool:
    return any(importer == a and (imported == b or imported.startswith(b + ".")) for a, b in ignored)


def test_every_package_of_core_has_a_layer():
    packages = {p.name for p in CORE.iterdir() if (p / "__init__.py").exists()}
    packages |= {p.stem for p in CORE.glob("*.py") if p.stem != "__init__"}
    missing = sorted(packages - set(RANK))
    assert not missing, f"packages of core/ with no layer in pyproject.toml [tool.importlinter]: {missing}"


def test_no_import_points_up_or_across_independent_packages():
    ignored = _ignored()
    offenders = []
    for importer, imported, where in IMPORTS:
        a, b = _package(importer), _package(imported)
        if a is None or b is None or a == b or _edge_ignored(importer, imported, ignored):
            continue
        if RANK[b] < RANK[a]:
            offenders.append(f"{where}: {importer} imports {imported} (a higher layer)")
        elif RANK[a] == RANK[b] and INDEPENDENT[a]:
            offenders.append(f"{where}: {importer} imports {imported} (same layer, independent)")
    assert not offenders, "\n".join(offenders)


def test_the_contract_imports_nothing_of_motcua():
    offenders = [
        f"{where}: {imported}"
        for importer, imported, where in IMPORTS
        if _package(importer) == "contract" and _package(imported) != "contract"
    ]
    offenders += [
        f"{path.relative_to(ROOT)} imports plugins"
        for path in (CORE / "contract").rglob("*.py")
        if "import plugins" in path.read_text(encoding="utf-8")
        or "from plugins" in path.read_text(encoding="utf-8")
    ]
    assert not offenders, "\n".join(offenders)


def test_no_circle_between_packages_of_core():
    ignored = _ignored()
    graph: dict[str, set[str]] = defaultdict(set)
    for importer, imported, _where in IMPORTS:
        a, b = _package(importer), _package(imported)
        if a and b and a != b and not _edge_ignored(importer, imported, ignored):
            graph[a].add(b)
    circles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(" → ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not circles, "\n".join(circles)


def test_the_walk_sees_imports_inside_functions():
    """The rule would be hollow if the walk missed function-level imports: one known such import."""
    assert any(
        where.startswith("core/dossiers/hooks.py") and imported == "core.dossiers.clockscan"
        for _importer, imported, where in IMPORTS
    )
