"""Issue 8: the Python in ``docs/`` runs, or says it is an excerpt.

Every fenced Python block of a Markdown file under ``docs/`` is marked ```` ```python runnable ```` or
```` ```python excerpt ````. The runnable blocks of a file run in order in one namespace (top-level
``await`` allowed) against a migrated database with the standard test province; the plugin guide's
blocks then form a plugin that joins the catalogue and prices an application.
"""

from __future__ import annotations

import ast
import re
import types
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.MULTILINE | re.DOTALL
)


def blocks(path: Path) -> list[tuple[int, str, str]]:
    """``(line, info string, code)`` of every fenced block of ``path``, the code dedented."""
    text = path.read_text(encoding="utf-8")
    out = []
    for m in FENCE.finditer(text):
        indent = m.group("indent")
        code = "\n".join(line.removeprefix(indent) for line in m.group("body").splitlines())
        out.append((text.count("\n", 0, m.start()) + 1, m.group("info").strip(), code))
    return out


def runnable(path: Path) -> list[tuple[int, str]]:
    return [(line, code) for line, info, code in blocks(path) if info == "python runnable"]


DOC_FILES = sorted(DOCS.rglob("*.md"))


def test_every_python_block_is_marked_runnable_or_excerpt():
    unmarked = [
        f"{p.relative_to(DOCS)}:{line} ```{info}"
        for p in DOC_FILES
        for line, info, _ in blocks(p)
        if info.split(" ")[0] in ("python", "py", "python3")
        and info not in ("python runnable", "python excerpt")
    ]
    assert not unmarked, "mark each block ```python runnable (run by this test) or ```python excerpt: " + str(
        unmarked
    )
    assert sum(len(runnable(p)) for p in DOC_FILES) >= 5, "never vacuous"


async def run_blocks(path: Path, namespace: dict) -> dict:
    """Run the runnable blocks of ``path`` in order; a failure names the file and line."""
    for line, code in runnable(path):
        try:
            compiled = compile(
                code, f"{path.relative_to(DOCS)}:{line}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
            )
            result = eval(compiled, namespace)  # noqa: S307 - our own docs, compiled above
            if result is not None and hasattr(result, "__await__"):
                await result
        except Exception as exc:  # pragma: no cover - the message is the point
            raise AssertionError(f"docs/{path.relative_to(DOCS)}, block at line {line}: {exc!r}") from exc
    return namespace


@pytest.mark.parametrize(
    "path", [p for p in DOC_FILES if runnable(p)], ids=lambda p: str(p.relative_to(DOCS))
)
async def test_runnable_blocks_run(db, temp_plugin, path):
    from tests.fixtures.builders import standard_tree

    tree = await standard_tree()
    await run_blocks(path, {"__name__": f"docs_{path.stem}", "tree": tree, "temp_plugin": temp_plugin})


async def test_the_guides_blocks_make_a_plugin_that_works(db, temp_plugin):
    """docs/write_a_plugin.md's blocks, taken together, are a plugin: it joins the catalogue with its
    procedure, form and route, and its fee rule prices an application."""
    from core.catalogue.registry import get_catalogue
    from core.fees.service import quote

    ns = await run_blocks(DOCS / "write_a_plugin.md", {"__name__": "docs_write_a_plugin"})
    plugin = types.SimpleNamespace(
        **{k: v for k, v in ns.items() if callable(v) and hasattr(v, "motcua_impl")}
    )
    assert {
        "domain_info",
        "register_procedures",
        "register_forms",
        "register_workflows",
        "compute_fee",
    } <= set(vars(plugin))
    temp_plugin(plugin, "docs_guide")
    cat = get_catalogue()
    spec = cat.procedures["2.000815"]
    assert cat.owner["procedure:2.000815"] == "docs_guide"
    assert spec.form in cat.forms and spec.workflow in cat.workflows
    priced = await quote(spec, {"pages": 5, "copies": 2})
    assert priced is not None and sum(line.amount for line in priced.lines) == 2 * (2 * 2_000 + 3 * 1_000)
