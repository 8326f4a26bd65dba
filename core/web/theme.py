"""The site's theme while the app runs: chosen at ``/quan-tri/giao-dien`` (``core.identity.site``),
applied to the template environment before each request without a restart, and the theme's own files
(``/theme-static/...``) served from whichever theme is in use."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import File

from core.identity.guards import public
from core.identity.site import current_theme_name
from core.text.templating import use_theme
from core.text.themes import Theme, choice_stamp, load_theme

__all__ = ("sync_theme", "current_theme", "theme_static")


def sync_theme(app: Litestar) -> None:
    """Apply the chosen theme if it changed since this process last looked (one ``stat`` per request;
    the file is read only when it was written again)."""
    settings = app.state.settings
    stamp = choice_stamp(settings.data_dir)
    if getattr(app.state, "theme_stamp", None) == stamp:
        return
    engine = app.template_engine
    if engine is not None:
        use_theme(engine.engine, current_theme_name(settings))
    app.state.theme_stamp = stamp


def current_theme(app: Litestar) -> Theme:
    """The theme the pages are rendered with now."""
    engine = app.template_engine
    theme = engine.engine.globals.get("theme") if engine is not None else None
    return theme if isinstance(theme, Theme) else load_theme(app.state.settings.theme)


@get(
    "/theme-static/{file_path:path}",
    include_in_schema=False,
    name="theme_static",
    opt=public("the theme's logo and images: no personal data"),
)
async def theme_static(request: Request, file_path: str) -> File:
    """A file of the theme in use (its ``static/`` folder); 404 outside it."""
    root = current_theme(request.app).static_dir.resolve()
    target = (root / file_path.lstrip("/")).resolve()
    if not root.is_dir() or not target.is_relative_to(root) or not target.is_file():
        raise NotFoundException()
    return File(path=Path(target), content_disposition_type="inline", headers={"cache-control": "no-cache"})
