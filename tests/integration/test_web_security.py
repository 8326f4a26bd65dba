"""Outside security review (issue 7), web findings: security headers on every page, no inline script
or style, no open redirect through ``Referer``, no 500 for htmx fragments, out-of-range integers or
deep JSON, CSRF on every unsafe web route (the API exemption anchored). Routes are walked from
``app.routes``, so a new route is covered the day it is added."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.integration.test_documents_builders import CODE, build_dossier

BIG = (2**31, 2**63, -(2**63) - 1, 10**30)
"""Integers no row id can be: past PostgreSQL's INTEGER, past SQLite's 64 bits, far past both."""

CSRF_EXEMPT = {
    ("POST", "/thanh-toan/{gateway:str}/ket-qua"): "payment gateway callback, signed by the gateway",
}
"""Unsafe web routes that may be called without the CSRF token, each with the reason."""


def _routes(app):
    """``(method, route path, handler)`` for every HTTP handler (HEAD and OPTIONS left out)."""
    from litestar.routes import HTTPRoute

    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                    yield method, route.path, handler


def _fill(path: str, ids: dict[str, str], override: dict[str, str] | None = None) -> str:
    """The route path with each parameter replaced by an existing object's key (``ids``), or a stand-in."""

    def value(m):
        name, kind = m.group(1), m.group(2)
        if override and name in override:
            return override[name]
        if name == "code" and path.startswith(("/thu-tuc", "/api/v1/procedures")):
            return "1.000001"
        return ids.get(name) or ("1" if kind == "int" else "1.pdf" if name == "filename" else "x")

    return re.sub(r"\{(\w+):(\w+)\}", value, path)


async def _world(client) -> dict[str, str]:
    """A real dossier and a province administrator signed in on ``client``; the ids to fill routes with."""
    from core.identity.tables import Agency
    from tests.fixtures.builders import grant, login_as, make_user

    await build_dossier()
    admin = await make_user("quantri", full_name="Lê Minh Quân")
    province = await Agency.select(Agency.id).where(Agency.level == "province").first()
    await grant(admin, province, "province_admin")
    await login_as(client, admin)
    return {"code": CODE, "agency_id": str(province["id"]), "lang": "en"}


_INLINE = [
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style[\s>]", re.I), "inline <style>"),
    (re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def _header_problems(path: str, r) -> list[str]:
    problems = []
    h = r.headers
    if h.get("x-content-type-options") != "nosniff":
        problems.append("no nosniff")
    if h.get("referrer-policy") not in ("same-origin", "no-referrer", "strict-origin"):
        problems.append(f"referrer-policy {h.get('referrer-policy')!r}")
    if "server" in h:
        problems.append("server banner")
    static = path.startswith(("/static", "/theme-static", "/theme.css"))
    if not static and h.get("cache-control") != "no-store":
        problems.append(f"cache-control {h.get('cache-control')!r}")
    if h.get("content-type", "").startswith("text/html"):
        parts = (part.strip() for part in h.get("content-security-policy", "").split(";"))
        csp = {d.split(" ")[0]: d for d in parts}
        if csp.get("frame-ancestors") != "frame-ancestors 'none'":
            problems.append("CSP frame-ancestors")
        for directive in ("script-src", "style-src"):
            value = csp.get(directive) or csp.get("default-src") or ""
            if not value or "'unsafe-inline'" in value or "'unsafe-eval'" in value or "*" in value:
                problems.append(f"CSP {directive}: {value!r}")
        problems += [what for pattern, what in _INLINE if pattern.search(r.text)]
    return problems


async def test_every_page_carries_the_security_headers(client, app):
    """Every GET route, anonymous and signed in (htmx fragments too): CSP without inline script or
    style, no framing, nosniff, referrer policy, no-store on anything not static, and a page body
    that needs no inline script or style (so the policy breaks nothing)."""
    await client.get("/")
    wrong, checked = [], 0
    for signed_in in (False, True):
        ids = await _world(client) if signed_in else {"code": "khong-co", "lang": "vi"}
        for method, path, _handler in _routes(app):
            if method != "GET":
                continue
            for headers in ({}, {"HX-Request": "true"}):
                r = await client.get(_fill(path, ids), headers=headers, follow_redirects=False)
                checked += 1
                wrong += [f"{path} {headers} ({r.status_code}): {p}" for p in _header_problems(path, r)]
    for extra in ("/khong-co-trang-nay", "/api/v1/khong-co", "/theme.css", "/static/css/motcua.css"):
        r = await client.get(extra)
        wrong += [f"{extra}: {p}" for p in _header_problems(extra, r)]
    assert not wrong, "\n".join(wrong)
    assert checked > 80


async def test_signed_in_dossier_and_api_answers_are_not_stored(client):
    """Personal data never lands in a browser or proxy cache: dossier pages, the account, the API."""
    from core.identity.api_auth import issue_token
    from core.identity.tables import User

    await _world(client)
    for path in ("/tai-khoan", f"/ho-so/{CODE}", f"/tra-cuu/{CODE}"):
        r = await client.get(path)
        assert r.status_code == 200, path
        assert r.headers["cache-control"] == "no-store", path
    user = await User.select(User.id).where(User.username == "hang").first()
    token = await issue_token(user["id"], "t")
    r = await client.get(f"/api/v1/dossiers/{CODE}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


async def test_theme_colours_come_from_a_stylesheet(db):
    from dataclasses import replace

    from litestar.testing import AsyncTestClient

    from core.app import create_app
    from core.settings import get_settings

    async with AsyncTestClient(app=create_app(replace(get_settings(), theme="dongnai"))) as c:
        home = await c.get("/")
        assert (
            '<link rel="stylesheet" href="/theme.css?v=dongnai">' in home.text and "<style" not in home.text
        )
        assert "includeIndicatorStyles" in home.text  # htmx must not inject its own <style>
        css = await c.get("/theme.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert "--primary: #0b5394" in css.text
        assert "motcua_session" not in css.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "referer",
    [
        "https://evil.example//evil.example/x",
        "http://127.0.0.1:8000//evil.example/x",
        "//evil.example/x",
        "/\\evil.example/x",
        "http://127.0.0.1:8000/\\evil.example",
        "https:evil.example",
        "http://evil.example/x?y=1",
        "javascript:alert(1)",
        "http://127.0.0.1:8000/%0d%0a//evil.example",
        "\t//evil.example",
    ],
)
async def test_language_switch_never_leaves_the_site(client, referer):
    r = await client.get("/ngon-ngu/en", headers={"referer": referer}, follow_redirects=False)
    assert r.status_code == 303
    location = r.headers["location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "\\" not in location and not urlsplit(location).netloc, location


async def test_language_switch_goes_back_to_our_own_page(client):
    for referer, back in (
        ("http://127.0.0.1:8000/thu-tuc?q=khai+sinh", "/thu-tuc?q=khai+sinh"),
        ("/tra-cuu", "/tra-cuu"),
        ("", "/"),
    ):
        r = await client.get("/ngon-ngu/en", headers={"referer": referer}, follow_redirects=False)
        assert r.headers["location"] == back


async def test_htmx_fragment_of_every_route_is_never_a_500(client, app):
    """Every route asked for by htmx (``HX-Request: true``), signed in with real objects: blocks
    rendered alone still see the macros their template imports at the top."""
    ids = await _world(client)
    token = client.cookies.get("csrftoken")
    wrong = []
    for method, path, _handler in _routes(app):
        if path == "/dang-xuat":
            continue
        headers = {"HX-Request": "true", "x-csrftoken": token}
        if path.startswith("/api/"):
            headers["accept"] = "application/json"
        r = await client.request(method, _fill(path, ids), headers=headers, follow_redirects=False)
        if r.status_code >= 500:
            wrong.append(f"{method} {path}: {r.status_code}")
    assert not wrong, "\n".join(wrong)
    for path in (f"/tra-cuu/{CODE}", f"/ho-so/{CODE}", "/quan-tri/co-quan"):
        r = await client.get(path, headers={"HX-Request": "true"})
        assert r.status_code == 200 and "<html" not in r.text, path


def _int_parameters(handler, path: str) -> tuple[list[str], list[str]]:
    """Integer path parameters and integer query parameters of a handler (from its signature)."""
    from core.web.security import _is_int

    in_path = re.findall(r"\{(\w+):int\}", path)
    query = [
        name
        for name, field in handler.parsed_fn_signature.parameters.items()
        if _is_int(field.annotation) and name not in in_path
    ]
    return in_path, query


async def test_out_of_range_integers_are_refused_never_a_500(client, app):
    """2**31, 2**63, -1, 10**30… in every integer path or query parameter: a 4xx in Vietnamese."""
    from core.identity.api_auth import issue_token
    from core.identity.tables import User

    ids = await _world(client)
    token = client.cookies.get("csrftoken")
    admin = await User.select(User.id).where(User.username == "quantri").first()
    bearer = await issue_token(admin["id"], "t")
    wrong, checked = [], 0
    for method, path, handler in _routes(app):
        in_path, query = _int_parameters(handler, path)
        if path == "/dang-xuat" or not (in_path or query):
            continue
        headers = {"x-csrftoken": token, "Authorization": f"Bearer {bearer}"}
        for big in (*BIG, -1):
            for name in in_path:
                r = await client.request(
                    method, _fill(path, ids, {name: str(big)}), headers=headers, follow_redirects=False
                )
                checked += 1
                if r.status_code >= 500 or (
                    r.status_code >= 400 and big in BIG and "Không" not in r.text and "không" not in r.text
                ):
                    wrong.append(f"{method} {path} {name}={big}: {r.status_code}")
            for name in query:
                r = await client.request(
                    method, _fill(path, ids), params={name: str(big)}, headers=headers, follow_redirects=False
                )
                checked += 1
                if r.status_code >= 500:
                    wrong.append(f"{method} {path} ?{name}={big}: {r.status_code}")
    assert not wrong, "\n".join(wrong)
    assert checked >= 50
    r = await client.get("/quan-tri/nhat-ky", params={"trang": str(10**30)})
    assert r.status_code == 400 and "Một số thông tin còn thiếu hoặc không đúng định dạng" in r.text


async def test_deeply_nested_json_is_a_400_in_vietnamese(client, app):
    from core.identity.api_auth import issue_token
    from core.identity.tables import User

    await _world(client)
    admin = await User.select(User.id).where(User.username == "quantri").first()
    token = await issue_token(admin["id"], "t")
    headers = {"Authorization": f"Bearer {token}", "content-type": "application/json"}
    bodies = [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 5000 + "1" + "}" * 5000,
        '{"agency_code": "x", "procedure_code": "9.000001", "data": ' + "[" * 200 + "]" * 200 + "}",
    ]
    posts = [
        _fill(p, {"code": CODE})
        for m, p, h in _routes(app)
        if m == "POST"
        and p.startswith("/api/")
        and "data" in h.parsed_fn_signature.parameters
        and "attachments" not in p
    ]  # uploads are multipart, not JSON
    assert len(posts) >= 4
    for path in posts:
        for body in bodies:
            r = await client.post(path, content=body, headers=headers)
            assert r.status_code == 400, (path, body[:20], r.status_code)
            assert "lồng nhau quá nhiều tầng" in r.json()["detail"]


async def test_calendar_explainer_refuses_years_outside_the_calendar(client):
    await _world(client)
    for received, days, extra in (
        ("31/12/9999 16:00", "365", "60"),
        ("01/01/0001 08:00", "365", ""),
        ("31/12/2100 16:00", "365", "60"),
    ):
        r = await client.get(
            "/quan-tri/lich-lam-viec", params={"received": received, "days": days, "extra_days": extra}
        )
        assert r.status_code in (200, 422), (received, r.status_code)
        if not received.endswith("2100 16:00"):
            assert r.status_code == 422 and "Năm tiếp nhận phải từ 2000 đến 2100" in r.text


async def test_every_unsafe_web_route_refuses_a_request_without_the_csrf_token(client, app):
    """The token is checked on every POST/PUT/PATCH/DELETE outside the bearer-token API, signed in or
    not; the only exemptions are listed (with their reason) in ``CSRF_EXEMPT``."""
    ids = await _world(client)
    wrong, exempt, checked = [], set(), 0
    for method, path, handler in _routes(app):
        if method in ("GET", "HEAD", "OPTIONS", "TRACE") or path.startswith("/api/"):
            continue
        if handler.opt.get("exclude_from_csrf"):
            exempt.add((method, path))
            continue
        for data in ({}, {"_csrf_token": "forged"}):
            r = await client.request(method, _fill(path, ids), data=data, follow_redirects=False)
            checked += 1
            if r.status_code != 403 or "Biểu mẫu đã hết hạn" not in r.text:
                wrong.append(f"{method} {path} {data}: {r.status_code}")
    assert not wrong, "unsafe routes taking a request without the token:\n" + "\n".join(wrong)
    assert exempt == set(CSRF_EXEMPT), exempt ^ set(CSRF_EXEMPT)
    assert checked >= 30


class _ApiInsidePath:
    """A web page whose path has ``/api/`` inside: it is not the bearer-token API."""

    from core.api import hookimpl

    @hookimpl
    def register_routes(self):
        from litestar import post

        @post("/bieu-mau/api/luu", include_in_schema=False, status_code=200)
        async def save() -> str:
            return "saved"

        return [save]


async def test_csrf_exemption_covers_the_api_prefix_only(db, temp_plugin):
    from litestar.testing import AsyncTestClient

    from core.app import create_app

    temp_plugin(_ApiInsidePath(), "t_api_inside")
    async with AsyncTestClient(app=create_app()) as c:
        await c.get("/")
        r = await c.post("/bieu-mau/api/luu", data={})
        assert r.status_code == 403 and "Biểu mẫu đã hết hạn" in r.text
        r = await c.post("/bieu-mau/api/luu", data={"_csrf_token": c.cookies.get("csrftoken")})
        assert r.status_code == 200 and r.text == "saved"
        r = await c.post("/api/v1/dossiers", json={})  # the API itself: no token asked, bearer instead
        assert r.status_code == 401


def test_serve_sends_no_server_banner(monkeypatch):
    """``motcua serve`` starts uvicorn without its ``Server: uvicorn`` header."""
    import uvicorn

    from core import cli

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    monkeypatch.setattr(cli, "_run", lambda coro: coro.close())
    cli.main(["serve", "--port", "8123"])
    assert seen.get("server_header") is False
