"""Vietnamese is the default language: every UI string of core has a Vietnamese translation."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_msgid_has_vietnamese():
    r = subprocess.run([sys.executable, "scripts/i18n.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout


def test_compiled_catalogue_is_up_to_date():
    """The committed .mo files translate every msgid the sources use (run scripts/i18n.py)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import i18n as tool  # type: ignore[import-not-found]

    from babel.support import Translations

    vi = Translations.load(str(ROOT / "core" / "locale"), ["vi"], domain="core")
    expected = tool.translations()
    stale = [m for m in tool.extract() if vi.ugettext(m) != expected.get(m)]
    assert not stale, f"chạy .venv/bin/python scripts/i18n.py; chưa biên dịch: {stale[:5]}"
