"""Build the gettext catalogues of core: extract English msgids from Python and Jinja sources,
take their Vietnamese from ``core/locale/translations/*.json`` (``{"English": "Tiếng Việt"}``),
write ``vi`` and ``en`` .po files and compile them to .mo.

Usage: .venv/bin/python scripts/i18n.py            (rebuild)
       .venv/bin/python scripts/i18n.py --check    (exit 1 listing msgids with no Vietnamese)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"
LOCALE = CORE / "locale"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extract() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for root in (CORE, ROOT / "plugins"):  # plugins' pages use the core catalogue too
        for filename, lineno, message, _comments, _ctx in extract_from_dir(
            str(root), method_map=METHODS, options_map=OPTIONS, keywords=KEYWORDS
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault(msgid, []).append(f"{root.name}/{filename}:{lineno}")
    return found


def translations() -> dict[str, str]:
    merged: dict[str, str] = {}
    for f in sorted((LOCALE / "translations").glob("*.json")):
        merged.update(json.loads(f.read_text(encoding="utf-8")))
    return merged


def main() -> int:
    msgids = extract()
    vi = translations()
    missing = sorted(m for m in msgids if not vi.get(m, "").strip())
    if "--check" in sys.argv:
        for m in missing:
            print(f"thiếu bản dịch tiếng Việt: {m!r}  ({msgids[m][0]})")
        return 1 if missing else 0
    for lang in ("vi", "en"):
        cat = Catalog(locale=lang, domain="core", project="motcua")
        for msgid, where in sorted(msgids.items()):
            text = vi.get(msgid, "") if lang == "vi" else msgid
            cat.add(msgid, text, locations=[(w.rsplit(":", 1)[0], int(w.rsplit(":", 1)[1])) for w in where])
        out = LOCALE / lang / "LC_MESSAGES"
        out.mkdir(parents=True, exist_ok=True)
        with open(out / "core.po", "wb") as fh:
            write_po(fh, cat, width=100, omit_header=False, sort_output=True)
        with open(out / "core.mo", "wb") as fh:
            write_mo(fh, cat)
    print(f"{len(msgids)} chuỗi; thiếu tiếng Việt: {len(missing)}")
    for m in missing:
        print(f"  - {m!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
