"""Each plugin carries its own translation catalogue (``<package>/locale``), which core's i18n loads
behind its own; a plugin installed from outside this repository ships and builds its catalogue the
same way."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.text import i18n

ROOT = Path(__file__).resolve().parents[2]
LAND_ONLY = "Find a parcel by its commune, map sheet and parcel number, or a certificate by its serial."


def _msgids(po: Path) -> set[str]:
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


@pytest.mark.parametrize("name", ["land", "business_reg", "civil_status"])
def test_each_plugin_ships_its_catalogue_and_core_does_not_hold_its_words(name):
    own = ROOT / "plugins" / name / "locale"
    assert (own / "translations" / f"{name}.json").is_file()
    for lang in ("vi", "en"):
        assert (own / lang / "LC_MESSAGES" / f"{name}.mo").is_file()
    plugin_ids = _msgids(own / "vi" / "LC_MESSAGES" / f"{name}.po")
    core_ids = _msgids(ROOT / "core" / "locale" / "vi" / "LC_MESSAGES" / "core.po")
    only_plugin = plugin_ids - core_ids
    assert len(only_plugin) >= 25
    core_json = {
        k
        for f in (ROOT / "core" / "locale" / "translations").glob("*.json")
        for k in json.loads(f.read_text(encoding="utf-8"))
    }
    assert not only_plugin & core_json, "a plugin's own words are still in core/locale"


def test_a_plugins_words_reach_its_pages_through_core_gettext():
    assert (i18n.LOCALE_DIR.parent.parent / "plugins" / "land" / "locale", "land") in i18n.plugin_catalogues()
    i18n.set_language("vi")
    assert i18n.gettext(LAND_ONLY).startswith("Tìm thửa đất theo mã xã")
    assert i18n.gettext("Dossier") == "Hồ sơ"  # core's words stay in front
    i18n.set_language("en")
    assert i18n.gettext(LAND_ONLY) == LAND_ONLY
    i18n.set_language("vi")


async def test_plugin_page_is_in_vietnamese_from_the_plugins_catalogue(client):
    r = await client.get("/dang-ky-kinh-doanh/tra-cuu")
    assert r.status_code == 200
    assert (
        "<h1>Tra cứu doanh nghiệp, hộ kinh doanh</h1>" in r.text
    )  # a msgid only business_reg's catalogue has
    assert "Business register" not in r.text
    r = await client.get("/dang-ky-kinh-doanh/tra-cuu", params={"lang": "en"})
    assert "<h1>Business register</h1>" in r.text


@pytest.fixture
def outside_package(tmp_path):
    """A fourth plugin as a separate package (outside this repository): one message, its json."""
    pkg = tmp_path / "site" / "motcua_fishery"
    (pkg / "templates" / "fishery").mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""Aquaculture licences."""\n')
    (pkg / "templates" / "fishery" / "ponds.html").write_text('<h1>{{ _("Fish pond register") }}</h1>\n')
    (pkg / "locale" / "translations").mkdir(parents=True)
    (pkg / "locale" / "translations" / "motcua_fishery.json").write_text(
        json.dumps({"Fish pond register": "Sổ theo dõi ao nuôi thủy sản"}, ensure_ascii=False),
        encoding="utf-8",
    )
    return pkg


def _tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "scripts/i18n.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_an_outside_plugin_builds_ships_and_loads_its_catalogue(outside_package, temp_plugin):
    r = _tool(str(outside_package))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "plugin motcua_fishery: 1 chuỗi; thiếu tiếng Việt: 0" in r.stdout
    assert (outside_package / "locale" / "vi" / "LC_MESSAGES" / "motcua_fishery.mo").is_file()
    assert _tool("--check", str(outside_package)).returncode == 0
    sys.path.insert(0, str(outside_package.parent))
    try:
        module = importlib.import_module("motcua_fishery")
        temp_plugin(module, "fishery")
        i18n.translations.cache_clear()
        i18n.set_language("vi")
        assert i18n.gettext("Fish pond register") == "Sổ theo dõi ao nuôi thủy sản"
    finally:
        sys.path.remove(str(outside_package.parent))
        sys.modules.pop("motcua_fishery", None)
        i18n.translations.cache_clear()


def test_check_fails_for_a_plugin_message_without_vietnamese(outside_package):
    (outside_package / "ponds.py").write_text('from core.api import _\n\nTITLE = _("Pond licence")\n')
    r = _tool("--check", str(outside_package))
    assert r.returncode == 1
    assert "thiếu bản dịch tiếng Việt (plugin motcua_fishery): 'Pond licence'" in r.stdout
