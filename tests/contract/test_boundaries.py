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


_NOT_A_LETTER_BEFORE, _NOT_A_LETTER_AFTER = r"(?<![^\W_])", r"(?![^\W_])"
DOMAIN_WORDS = re.compile(
    _NOT_A_LETTER_BEFORE + r"(land|parcels?|business(es)?|enterprises?|civil[ _]status|birth|marriage|death|"
    r"đất đai|thửa đất|kinh doanh|doanh nghiệp|hộ tịch|khai sinh|kết hôn|khai tử)" + _NOT_A_LETTER_AFTER,
    re.IGNORECASE,
)
"""A domain's words, also inside identifiers (``parcel_number``, ``land_office``): an underscore
separates words here, so ``\b`` alone would let every snake_case name through."""

ALLOWED = re.compile(
    r"(date|year)[ _]of[ _]birth|birth[ _](date|year)|"  # a person's birth date: identity, not birth registration
    # kinds and keys of agencies in the province's organisation chart
    r"(land|business)_registry|land_office|"
    # "citizens and businesses": the public every agency serves, in the legal titles of Decision 766
    r"người dân,? doanh nghiệp",
    re.IGNORECASE,
)
"""Words that look like a domain but are core's own: a person's date of birth (the CCCD check), and
the *kinds* of sector agencies (``sector:land_registry``) and the demo province's key of its land
registration office, which every province has whatever plugins are installed: data on the agency
row, like tax or police, selected by route steps."""


def test_core_does_not_name_a_domain():
    """Core is domain-agnostic: domains live in plugins (issue 4, 'proof that the contract is real')."""
    offenders = []
    for path in CORE.rglob("*"):
        if (
            path.suffix not in {".py", ".html", ".css", ".js", ".json", ".toml", ".txt", ".md"}
            or "vendor" in path.parts
        ):
            continue
        if path.parent.name == "translations" or path.name == "vsic.json":
            continue  # UI catalogues and the national industry list are data, not domain logic
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if m := DOMAIN_WORDS.search(ALLOWED.sub("", line)):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}: {m.group(0)!r}")
    assert not offenders, "\n".join(offenders[:40])


def test_the_domain_check_sees_identifiers_and_spares_core_words():
    """The check itself: it would catch a domain hidden in snake_case, and lets core's own words pass."""
    caught = [
        "def _parcel_number(value):",
        "LAND_USE_TYPES = ()",
        "kind='civil_status'",
        "Đăng ký khai sinh",
        "marriage_check()",
        "if business: pass",
    ]
    spared = [
        "birth_date = Date()",
        "Date of birth as declared",
        "island = True",
        "landscape",
        "_LANDLINE",
        "sector:land_registry",
        "deathless",
    ]
    assert all(DOMAIN_WORDS.search(ALLOWED.sub("", s)) for s in caught)
    assert not any(DOMAIN_WORDS.search(ALLOWED.sub("", s)) for s in spared)
