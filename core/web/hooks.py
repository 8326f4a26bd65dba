"""Core web plugin: the home page, the language switch, the public menu entries, and the routes of
core's own pages (``core.web.pages``)."""

from __future__ import annotations

import re

from litestar import Request, Response, get
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from core.contract.hookspecs import hookimpl
from core.contract.specs import L, MenuItem
from core.identity.guards import public
from core.text.i18n import LANGUAGES
from core.web.menu import N_, citizens, menu_entry
from core.web.render import page
from core.web.security import same_site_path

# The citizen's own dossiers (core/web/pages/portal.py): shown once that page is mounted.
menu_entry("/ho-so-cua-toi", N_("My dossiers"), citizens, order=5)


@get("/", include_in_schema=False, name="home", opt=public("the home page: the fields of the catalogue"))
async def home(request: Request) -> Template:
    from core.catalogue.registry import get_catalogue

    cat = get_catalogue()
    domains = sorted(cat.domains.values(), key=lambda d: d.name.vi)
    counts = {d.code: sum(1 for p in cat.procedures.values() if p.domain == d.code) for d in domains}
    return await page(request, "home/index.html", {"domains": domains, "counts": counts})


@get(
    "/ngon-ngu/{lang:str}",
    include_in_schema=False,
    name="set_language",
    opt=public("choosing the interface language (a cookie)"),
)
async def set_language(request: Request, lang: str) -> Redirect:
    """Remember the chosen language in a cookie and go back where the user was (on this site only)."""
    back = same_site_path(request.headers.get("referer"), request.headers.get("host", "")) or "/"
    lang = lang if lang in LANGUAGES else "vi"
    return Redirect(
        back, status_code=303, cookies=[Cookie(key="lang", value=lang, max_age=365 * 86400, samesite="lax")]
    )


_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")


@get(
    "/theme.css", include_in_schema=False, name="theme_css", opt=public("the theme's colours as a stylesheet")
)
async def theme_css(request: Request) -> Response:
    """The theme's colours as a stylesheet (the page has no inline style: see the Content-Security-Policy)."""
    from core.web.theme import current_theme

    theme = current_theme(request.app)
    primary = theme.primary if _COLOUR.fullmatch(theme.primary) else "#9b1c1c"
    accent = theme.accent if _COLOUR.fullmatch(theme.accent) else "#d4a017"
    return Response(
        f":root {{ --primary: {primary}; --accent: {accent}; }}\n",
        media_type="text/css",
        headers={"cache-control": "public, max-age=3600"},
    )


@hookimpl
def register_routes():
    """Core's own pages (core.web.pages), mounted at the root. The domain packages below the web layer
    declare no routes: their pages live here."""
    from core.web.pages import (
        audit,
        board,
        catalogue,
        catalogue_admin,
        clock_admin,
        counter,
        documents,
        dossiers,
        eid,
        feedback,
        fees,
        identity,
        identity_admin,
        inbox,
        jobs_admin,
        nation_admin,
        notify,
        ops,
        portal,
        queue,
        stats,
        theme_admin,
        verify,
    )
    from core.web.theme import theme_static

    return [
        home,
        set_language,
        theme_css,
        theme_static,
        *identity.ROUTES,
        *eid.ROUTES,
        *identity_admin.ROUTES,
        *theme_admin.ROUTES,
        *board.ROUTES,
        *queue.ROUTES,
        catalogue.catalogue_index,
        catalogue.procedure_page,
        catalogue_admin.activation_page,
        catalogue_admin.activation_toggle,
        catalogue_admin.fees_page,
        catalogue_admin.fees_add,
        *dossiers.ROUTES,
        *jobs_admin.routes(),
        *nation_admin.ROUTES,
        *notify.routes(),
        *audit.routes(),
        *documents.ROUTES,
        *fees.ROUTES,
        *clock_admin.ROUTES,
        *inbox.ROUTES,
        *feedback.ROUTES,
        *verify.ROUTES,
        *counter.ROUTES,
        *portal.ROUTES,
        *stats.ROUTES,
        *ops.ROUTES,
    ]


@hookimpl
def menu_items(user, request):
    items = [
        MenuItem("/thu-tuc", L("Thủ tục hành chính", "Procedures"), order=10),
        MenuItem("/tra-cuu", L("Tra cứu hồ sơ", "Track a dossier"), order=20),
    ]
    return items
