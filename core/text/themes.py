"""Themes: ``themes/<name>/theme.toml`` (province name, colours, logo) and template overrides."""

from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ("Theme", "load_theme", "available_themes", "chosen_theme", "write_chosen_theme", "THEMES_DIR")

THEMES_DIR = Path(__file__).resolve().parent.parent.parent / "themes"


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    province: str
    """Name of the province as shown in the header (``Tỉnh Đồng Nai``)."""
    authority: str
    """The body running the portal (``Trung tâm Phục vụ hành chính công``)."""
    primary: str
    accent: str
    logo: str | None
    hotline: str
    path: Path

    @property
    def templates_dir(self) -> Path:
        return self.path / "templates"

    @property
    def static_dir(self) -> Path:
        return self.path / "static"


@functools.cache
def load_theme(name: str) -> Theme:
    path = THEMES_DIR / name
    toml_file = path / "theme.toml"
    if not toml_file.exists():
        raise RuntimeError(f"Không tìm thấy giao diện '{name}' (thiếu {toml_file}). Kiểm tra MOTCUA_THEME.")
    data = tomllib.loads(toml_file.read_text(encoding="utf-8"))
    return Theme(
        name=name,
        province=data["province"],
        authority=data.get("authority", "Trung tâm Phục vụ hành chính công"),
        primary=data.get("colors", {}).get("primary", "#9b1c1c"),
        accent=data.get("colors", {}).get("accent", "#f5c518"),
        logo=data.get("logo"),
        hotline=data.get("hotline", ""),
        path=path,
    )


def available_themes() -> list[Theme]:
    """Every theme under ``themes/`` (a folder with a ``theme.toml``), by name; ``default`` first."""
    names = sorted(p.parent.name for p in THEMES_DIR.glob("*/theme.toml"))
    names.sort(key=lambda n: n != "default")
    return [load_theme(n) for n in names]


CHOICE_FILE = "theme"
"""The theme chosen at ``/quan-tri/giao-dien``: one line in the data folder, which every process of one
installation shares (uploads and the secret key live there too), so a choice reaches all of them."""


def chosen_theme(data_dir: Path, default: str) -> str:
    """The theme chosen by an administrator, or ``default`` (``MOTCUA_THEME``) when none was chosen or
    the chosen one is no longer installed."""
    try:
        name = (data_dir / CHOICE_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return default
    return name if name and (THEMES_DIR / name / "theme.toml").is_file() else default


def choice_stamp(data_dir: Path) -> float:
    """When the choice was last written (0 when never): a cheap test whether to read it again."""
    try:
        return (data_dir / CHOICE_FILE).stat().st_mtime
    except OSError:
        return 0.0


def write_chosen_theme(data_dir: Path, name: str) -> None:
    """Record ``name`` as the chosen theme (atomically: a reader never sees half a name)."""
    load_theme(name)  # an unknown theme raises before anything is written
    tmp = data_dir / f".{CHOICE_FILE}.{os.getpid()}"
    tmp.write_text(name + "\n", encoding="utf-8")
    os.replace(tmp, data_dir / CHOICE_FILE)
