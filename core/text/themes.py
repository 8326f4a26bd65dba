"""Themes: ``themes/<name>/theme.toml`` (province name, colours, logo) and template overrides."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ("Theme", "load_theme", "THEMES_DIR")

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
