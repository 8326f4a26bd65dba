"""Build the gettext catalogues of core and of each plugin: extract English msgids from Python and Jinja
sources, take their Vietnamese from ``<locale>/translations/*.json`` (``{"English": "Tiếng Việt"}``),
write ``vi`` and ``en`` .po files and compile them to .mo.

Catalogues: core's (``core/`` → ``core/locale/<lang>/LC_MESSAGES/core.mo``) and one per plugin package
(``plugins/<name>/`` → ``plugins/<name>/locale/<lang>/LC_MESSAGES/<name>.mo``), which core's i18n loads
behind its own. A plugin's msgid that core's json files already translate may be left out of the
plugin's json: its catalogue takes core's words (so it is complete on its own).

Usage: .venv/bin/python scripts/i18n.py                 (rebuild every catalogue)
       .venv/bin/python scripts/i18n.py --check         (exit 1 listing msgids with no Vietnamese)
       .venv/bin/python scripts/i18n.py [--check] DIR…  (only these plugin packages, e.g. one installed
                                                         elsewhere: DIR is the package's folder)
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Source:
    """One catalogue: the package whose sources are extracted, where its catalogue lives, its domain."""

    root: Path
    locale: Path
    domain: str

    @property
    def label(self) -> str:
        return "core" if self.domain == "core" else f"plugin {self.domain}"


CORE_SOURCE = Source(CORE, LOCALE, "core")


def plugin_source(package: Path) -> Source:
    package = package.resolve()
    return Source(package, package / "locale", package.name)


def sources(args: list[str] | None = None) -> list[Source]:
    """Core and every plugin package of this repository, or only the plugin folders named."""
    if args:
        return [plugin_source(Path(a)) for a in args]
    plugins = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").is_file())
    return [CORE_SOURCE, *(plugin_source(p) for p in plugins)]


def extract(source: Source = CORE_SOURCE) -> dict[str, list[str]]:
    """``{msgid: ["<where>:<line>", …]}`` of the source's Python and templates."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _ctx in extract_from_dir(
        str(source.root), method_map=METHODS, options_map=OPTIONS, keywords=KEYWORDS
    ):
        if filename.startswith("locale/"):
            continue
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append(f"{source.root.name}/{filename}:{lineno}")
    return found


def _json_files(locale: Path) -> dict[str, str]:
    merged: dict[str, str] = {}
    for f in sorted((locale / "translations").glob("*.json")):
        merged.update(json.loads(f.read_text(encoding="utf-8")))
    return merged


def translations(source: Source = CORE_SOURCE) -> dict[str, str]:
    """The Vietnamese a catalogue is built from: its own json files, over core's for a plugin."""
    if source.domain == "core":
        return _json_files(LOCALE)
    return {**_json_files(LOCALE), **_json_files(source.locale)}


def missing(source: Source) -> tuple[dict[str, list[str]], list[str]]:
    msgids = extract(source)
    vi = translations(source)
    return msgids, sorted(m for m in msgids if not vi.get(m, "").strip())


def build(source: Source) -> tuple[int, list[str]]:
    msgids, lacking = missing(source)
    vi = translations(source)
    for lang in ("vi", "en"):
        cat = Catalog(locale=lang, domain=source.domain, project="motcua")
        for msgid, where in sorted(msgids.items()):
            text = vi.get(msgid, "") if lang == "vi" else msgid
            cat.add(msgid, text, locations=[(w.rsplit(":", 1)[0], int(w.rsplit(":", 1)[1])) for w in where])
        out = source.locale / lang / "LC_MESSAGES"
        out.mkdir(parents=True, exist_ok=True)
        with open(out / f"{source.domain}.po", "wb") as fh:
            write_po(fh, cat, width=100, omit_header=False, sort_output=True)
        with open(out / f"{source.domain}.mo", "wb") as fh:
            write_mo(fh, cat)
    return len(msgids), lacking


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "--check" in sys.argv:
        failed = False
        for source in sources(args):
            for m in missing(source)[1]:
                failed = True
                print(f"thiếu bản dịch tiếng Việt ({source.label}): {m!r}  ({extract(source)[m][0]})")
        return 1 if failed else 0
    for source in sources(args):
        count, lacking = build(source)
        print(f"{source.label}: {count} chuỗi; thiếu tiếng Việt: {len(lacking)}")
        for m in lacking:
            print(f"  - {m!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
