"""Every hook has a section in docs/plugin_hooks.md headed by its exact signature, and a test
named ``test_hook_<name>`` somewhere under tests/ (Datasette's discipline)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import hook_docs  # noqa: E402  (scripts/hook_docs.py)

from core.contract import hookspecs  # noqa: E402

HOOKS = hook_docs.hook_names()
DOC = (ROOT / "docs" / "plugin_hooks.md").read_text(encoding="utf-8")


def test_every_hookspec_is_collected():
    assert len(HOOKS) >= 15
    assert "register_procedures" in HOOKS and "on_dossier_event" in HOOKS


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_documented_with_its_exact_signature(name):
    line = hook_docs.signature_line(name, getattr(hookspecs, name))
    assert f"## {name}" in DOC, f"docs/plugin_hooks.md has no section for {name}: run scripts/hook_docs.py"
    assert f"```python excerpt\n{line}\n```" in DOC, (
        f"signature of {name} differs in docs: run scripts/hook_docs.py"
    )


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_tested(name):
    pattern = re.compile(rf"^\s*(async\s+)?def test_hook_{name}\b", re.M)
    found = any(pattern.search(p.read_text(encoding="utf-8")) for p in (ROOT / "tests").rglob("test_*.py"))
    assert found, f"no test named test_hook_{name} under tests/"
