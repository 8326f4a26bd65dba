"""Public catalogue pages: search (``/thu-tuc``, htmx live results) and a procedure's page
(``/thu-tuc/{code}``; 410 with an explanation when no agency takes it in, 404 when unknown)."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from core.catalogue import search as catalogue_search
from core.catalogue.details import details
from core.catalogue.registry import get_catalogue
from core.contract.specs import ONLINE_LEVELS
from core.identity.guards import public
from core.identity.tables import Agency
from core.web.render import page

__all__ = ("catalogue_index", "procedure_page")


async def _agency_choices() -> list[dict]:
    return (
        await Agency.select(Agency.code, Agency.name, Agency.level)
        .where(Agency.active.eq(True))
        .order_by(Agency.name)
    )


@get("/thu-tuc", include_in_schema=False, name="catalogue", opt=public("the public procedure catalogue"))
async def catalogue_index(request: Request) -> Template:
    """Search by words (with or without diacritics), domain, agency and online level."""
    params = request.query_params
    q = (params.get("q") or "").strip()[:200]
    domain = params.get("linh_vuc") or ""
    agency = params.get("co_quan") or ""
    level = params.get("muc_do") or ""
    cat = get_catalogue()
    if domain not in cat.domains:
        domain = ""
    if level not in ONLINE_LEVELS:
        level = ""
    results = await catalogue_search.search(
        q, domain=domain or None, agency_code=agency or None, online_level=level or None
    )
    ctx = {
        "q": q,
        "domain": domain,
        "agency": agency,
        "level": level,
        "results": results,
        "domains": sorted(cat.domains.values(), key=lambda d: d.name.vi),
        "agencies": await _agency_choices(),
        "domain_names": {code: d.name for code, d in cat.domains.items()},
    }
    return await page(request, "catalogue/index.html", ctx, block="results")


@get(
    "/thu-tuc/{code:str}",
    include_in_schema=False,
    name="procedure",
    opt=public("one procedure of the public catalogue"),
)
async def procedure_page(request: Request, code: str) -> Template:
    """The procedure's page; a procedure no agency takes in gives a 410 page saying who to contact."""
    info = await details(code)
    if not info.available:
        return await page(request, "catalogue/unavailable.html", {"info": info}, block=None, status_code=410)
    return await page(request, "catalogue/detail.html", {"info": info}, block=None)
