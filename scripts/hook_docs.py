"""Regenerate docs/plugin_hooks.md from core/contract/hookspecs.py: one section per hook, headed by its exact
signature, followed by its contract (the docstring). tests/contract/test_hooks_documented.py checks it.

Usage: .venv/bin/python scripts/hook_docs.py
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.contract import hookspecs  # noqa: E402

INTRO = """# Plugin hooks

motcua's core talks to domain plugins only through these hooks (pluggy, project name `motcua`).
A plugin is a module or object with functions marked `@hookimpl` (from `core.api`), registered
through the `motcua.plugins` entry-point group — see [write_a_plugin.md](write_a_plugin.md).
Core's own features use the same hooks (`core/*/hooks.py`, listed in `core.plugins.DEFAULT_PLUGINS`).

Kinds:

- **declaration** hooks are synchronous and pure; they are called once at startup by
  `core.catalogue.registry.build()`, which validates the whole set and stops with a message
  naming the faulty plugin;
- **runtime** hooks may return a value or an awaitable;
- **event** hooks run after commit, from the job runner, at least once: be idempotent.

This file is generated from `core/contract/hookspecs.py` by `scripts/hook_docs.py`; a test fails when a
hook is missing here or its signature differs.

"""


def signature_line(name: str, func) -> str:
    """``def name(arg: Type, …) -> Return`` with the annotations as written in the source."""
    sig = inspect.signature(func)
    params = ", ".join(
        p.name if p.annotation is inspect.Parameter.empty else f"{p.name}: {p.annotation}"
        for p in sig.parameters.values()
    )
    ret = "" if sig.return_annotation is inspect.Signature.empty else f" -> {sig.return_annotation}"
    return f"def {name}({params}){ret}"


def hook_names() -> list[str]:
    return [n for n, f in vars(hookspecs).items() if callable(f) and hasattr(f, "motcua_spec")]


def render() -> str:
    parts = [INTRO]
    for name in hook_names():
        func = getattr(hookspecs, name)
        opts = func.motcua_spec
        kind = " (`firstresult`: stops at the first non-None answer)" if opts.get("firstresult") else ""
        parts.append(f"## {name}{kind}\n\n```python excerpt\n{signature_line(name, func)}\n```\n\n")
        parts.append(inspect.cleandoc(func.__doc__ or "") + "\n\n")
    return "".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    (ROOT / "docs" / "plugin_hooks.md").write_text(render(), encoding="utf-8")
    print("docs/plugin_hooks.md written")
