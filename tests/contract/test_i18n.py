"""Vietnamese is the default language: every UI string of core and of each plugin has a Vietnamese
translation, in the catalogue of the package that uses it."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import i18n as tool  # type: ignore[import-not-found]  # noqa: E402  (scripts/i18n.py)

SOURCES = tool.sources()


def test_every_msgid_has_vietnamese():
    r = subprocess.run(
        [sys.executable, "scripts/i18n.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout


def test_check_covers_core_and_each_plugin():
    assert [s.domain for s in SOURCES] == ["core", "business_reg", "civil_status", "land", "payment_sandbox"]
    assert all(s.locale == s.root / "locale" for s in SOURCES)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.domain)
def test_compiled_catalogue_is_up_to_date(source):
    """The committed .mo files translate every msgid the sources use (run scripts/i18n.py)."""
    from babel.support import Translations

    vi = Translations.load(str(source.locale), ["vi"], domain=source.domain)
    expected = tool.translations(source)
    stale = [m for m in tool.extract(source) if vi.ugettext(m) != expected.get(m)]
    assert not stale, f"chạy .venv/bin/python scripts/i18n.py; chưa biên dịch ({source.label}): {stale[:5]}"


def test_one_vietnamese_per_english_msgid_across_translation_files():
    """Each helper keeps its own translations file; the same English msgid given two Vietnamese
    renderings would show one of them, by file order, where the other was meant ("Held by" an
    agency on the public board, a person on the dossier page). One msgid, one meaning."""
    import json
    from collections import defaultdict

    renderings: dict[str, dict[str, str]] = defaultdict(dict)
    for path in sorted((ROOT / "core" / "locale" / "translations").glob("*.json")):
        for english, vietnamese in json.loads(path.read_text(encoding="utf-8")).items():
            renderings[english][path.name] = vietnamese
    clashes = {k: v for k, v in renderings.items() if len(set(v.values())) > 1}
    assert not clashes, "\n".join(f"{k!r}: {v}" for k, v in clashes.items())
