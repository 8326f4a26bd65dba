"""Core web plugin: the home page, the language switch, and the public menu entries."""

from __future__ import annotations

from urllib.parse import urlparse

from litestar import Request, get
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from core.api import L, MenuItem, hookimpl
from core.web.i18n import LANGUAGES
from core.web.render import page


@get("/", include_in_schema=False, name="home")
async def home(request: Request) -> Template:
    from core.catalogue.registry import get_catalogue

    cat = get_catalogue()
    domains = sorted(cat.domains.values(), key=lambda d: d.name.vi)
    counts = {d.code: sum(1 for p in cat.procedures.values() if p.domain == d.code) for d in domains}
    return await page(request, "home/index.html", {"domains": domains, "counts": counts})


@get("/ngon-ngu/{lang:str}", include_in_schema=False, name="set_language")
async def set_language(request: Request, lang: str) -> Redirect:
    """Remember the chosen language in a cookie and go back where the user was."""
    target = request.headers.get("referer") or "/"
    parsed = urlparse(target)
    back = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
    lang = lang if lang in LANGUAGES else "vi"
    return Redirect(back, status_code=303, cookies=[Cookie(key="lang", value=lang, max_age=365 * 86400, samesite="lax")])


@hookimpl
def register_routes():
    return [home, set_language]


@hookimpl
def menu_items(user, request):
    items = [
        MenuItem("/thu-tuc", L("Thủ tục hành chính", "Procedures"), order=10),
        MenuItem("/tra-cuu", L("Tra cứu hồ sơ", "Track a dossier"), order=20),
    ]
    return items
