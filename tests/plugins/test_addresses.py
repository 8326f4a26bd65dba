"""Plugin pages live under Vietnamese prefixes; their old English addresses answer a permanent redirect
(query string kept); templates build plugin addresses with ``url_for``, never by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# old address (concrete) -> new address, as a bookmark or a printed link would carry it
OLD_TO_NEW = {
    "/land/registry": "/dat-dai/tra-cuu",
    "/land/registry?commune_code=26734&map_sheet=5": "/dat-dai/tra-cuu?commune_code=26734&map_sheet=5",
    "/land/parcels/7": "/dat-dai/thua-dat/7",
    "/business_reg/registry?q=s%C3%B4ng+%C4%91%E1%BB%93ng": (
        "/dang-ky-kinh-doanh/tra-cuu?q=s%C3%B4ng+%C4%91%E1%BB%93ng"
    ),
    "/business_reg/businesses/3600000014-001": "/dang-ky-kinh-doanh/doanh-nghiep/3600000014-001",
    "/civil_status/registry": "/ho-tich/tra-cuu",
    "/civil_status/registry?kind=birth&year=2026": "/ho-tich/tra-cuu?kind=birth&year=2026",
    "/civil_status/registry/45": "/ho-tich/tra-cuu/45",
}


@pytest.mark.parametrize(("old", "new"), OLD_TO_NEW.items())
async def test_old_address_redirects_permanently(client, old, new):
    r = await client.get(old, follow_redirects=False)
    assert r.status_code in (301, 308), (old, r.status_code)
    assert r.headers["location"] == new


async def test_every_declared_old_address_points_to_a_live_route(app, client):
    """The walk: every redirect handler in the route table (``core.api.moved``) answers a 301 to a path
    the app routes, and the six old pages are all among them."""
    from litestar.routes import HTTPRoute

    from core.web.moved import MOVED_OPT

    old_paths = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for h in route.route_handlers:
                if MOVED_OPT in h.opt:
                    old_paths[route.path] = h.opt[MOVED_OPT]
    assert set(old_paths) == {
        "/land/registry",
        "/land/parcels/{parcel_id:int}",
        "/business_reg/registry",
        "/business_reg/businesses/{code:str}",
        "/civil_status/registry",
        "/civil_status/registry/{entry_id:int}",
    }
    for path, name in old_paths.items():
        concrete = re.sub(r"\{(\w+):int\}", "3", re.sub(r"\{(\w+):str\}", "x1", path))
        r = await client.get(concrete, follow_redirects=False)
        assert r.status_code == 301
        new = r.headers["location"]
        assert not new.startswith(("/land/", "/business_reg/", "/civil_status/"))
        assert new == app.route_reverse(
            name,
            **(
                {"parcel_id": 3}
                if "parcel_id" in path
                else {"entry_id": 3}
                if "entry_id" in path
                else {"code": "x1"}
                if "code" in path
                else {}
            ),
        )


def test_plugin_pages_are_mounted_under_their_vietnamese_prefix(app):
    paths = {r.path for r in app.routes}
    assert {
        "/dat-dai/tra-cuu",
        "/dat-dai/thua-dat/{parcel_id:int}",
        "/dang-ky-kinh-doanh/tra-cuu",
        "/dang-ky-kinh-doanh/doanh-nghiep/{code:str}",
        "/ho-tich/tra-cuu",
        "/ho-tich/tra-cuu/{entry_id:int}",
    } <= paths
    # nothing but the redirects is left under the old prefixes
    old = [p for p in paths if p.startswith(("/land", "/business_reg", "/civil_status"))]
    assert len(old) == 6


# An address written by hand in a template: an attribute whose value starts with "/" (href, action,
# hx-get, ...), except static assets. Plugin templates link every page, their own and core's, with
# ``url_for``; core's templates never name a plugin's prefix.
HAND_WRITTEN = re.compile(
    r"""(?:href|action|hx-(?:get|post|put|delete|patch)|formaction)\s*=\s*["']/(?!static/|theme-static/)"""
)
PLUGIN_PREFIXES = re.compile(
    r"""["'/](?:land|business_reg|civil_status|dat-dai|dang-ky-kinh-doanh|ho-tich)/"""
)


def test_no_template_writes_a_plugin_address_by_hand():
    offenders = []
    for tpl in sorted((ROOT / "plugins").glob("*/templates/**/*.html")):
        text = tpl.read_text(encoding="utf-8")
        for m in HAND_WRITTEN.finditer(text):
            offenders.append(f"{tpl.relative_to(ROOT)}: {text[m.start() : m.start() + 60]!r}")
    for tpl in sorted((ROOT / "core" / "templates").glob("**/*.html")) + sorted(
        (ROOT / "themes").glob("**/*.html")
    ):
        text = tpl.read_text(encoding="utf-8")
        for m in PLUGIN_PREFIXES.finditer(text):
            if (
                "templates" not in text[max(0, m.start() - 30) : m.start()]
            ):  # an include of a plugin's template is fine
                offenders.append(f"{tpl.relative_to(ROOT)}: {text[m.start() : m.start() + 60]!r}")
    assert not offenders, "addresses written by hand:\n" + "\n".join(offenders)


def test_the_grep_would_catch_a_hand_written_address():
    assert HAND_WRITTEN.search('<a href="/dat-dai/thua-dat/{{ p.id }}">')
    assert HAND_WRITTEN.search("<form hx-get='/ho-tich/tra-cuu'>")
    assert not HAND_WRITTEN.search("<a href=\"{{ url_for('land_parcel', parcel_id=p.id) }}\">")
    assert not HAND_WRITTEN.search('<link href="/static/app.css">')
