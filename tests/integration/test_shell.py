"""The web shell: home page in Vietnamese, English on request, error pages, CSRF, and the guards on
every route (walked from ``app.routes``)."""

from __future__ import annotations

import re
from urllib.parse import unquote


async def test_home_page_is_vietnamese(client):
    r = await client.get("/")
    assert r.status_code == 200
    assert 'lang="vi"' in r.text
    assert "Đất đai" in r.text and "Hộ tịch" in r.text


async def test_404_page_is_vietnamese_html(client):
    r = await client.get("/khong-co-trang-nay")
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]
    assert "Không tìm thấy trang" in r.text


async def test_api_404_is_problem_json(client):
    r = await client.get("/api/v1/khong-co")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_post_without_csrf_token_is_refused(client):
    await client.get("/")
    r = await client.post("/dang-xuat", data={})
    assert r.status_code == 403
    assert "Biểu mẫu đã hết hạn" in r.text


async def test_english_on_request(client):
    r = await client.get("/?lang=en")
    assert 'lang="en"' in r.text
    assert "Administrative procedures, in one place" in r.text
    r = await client.get("/")  # no cookie set by ?lang: back to Vietnamese
    assert "Thủ tục hành chính, tại một nơi" in r.text


async def test_language_switch_is_remembered(client):
    r = await client.get("/ngon-ngu/en", headers={"referer": "http://127.0.0.1:8000/"})
    assert r.status_code == 200 and 'lang="en"' in r.text  # followed the redirect with the cookie
    r = await client.get("/")
    assert 'lang="en"' in r.text


async def test_province_theme(db):
    from dataclasses import replace

    from litestar.testing import AsyncTestClient

    from core.app import create_app
    from core.settings import get_settings

    app = create_app(replace(get_settings(), theme="dongnai"))
    async with AsyncTestClient(app=app) as c:
        r = await c.get("/")
        assert "Tỉnh Đồng Nai" in r.text and "Trung tâm Phục vụ hành chính công tỉnh Đồng Nai" in r.text
        assert "#0b5394" in (await c.get("/theme.css")).text  # the province's colour, as a stylesheet
        assert (await c.get("/theme-static/logo.svg")).status_code == 200


class _Boom:
    """A plugin whose pages fail in the ways the error pages must cover."""

    from core.api import hookimpl

    @hookimpl
    def register_routes(self):
        from litestar import get

        from core.contract.errors import NotAllowed, StaleVersion

        @get("/loi/500", include_in_schema=False)
        async def crash() -> str:
            raise RuntimeError("secret internal detail: password=hunter2")

        @get("/loi/409", include_in_schema=False)
        async def stale() -> str:
            raise StaleVersion(
                "Hồ sơ đã được cán bộ khác cập nhật.", changes=["Tiếp nhận hồ sơ — 09:15 23/11/2026"]
            )

        @get("/loi/403", include_in_schema=False)
        async def forbidden() -> str:
            raise NotAllowed("Bạn không giữ vai trò tiếp nhận tại cơ quan này.")

        class CharacterNotInRepertoireError(Exception):
            """What asyncpg raises when a value carries a NUL byte."""

        @get("/loi/nul", include_in_schema=False)
        async def nul() -> str:
            raise CharacterNotInRepertoireError('invalid byte sequence for encoding "UTF8": 0x00')

        return [crash, stale, forbidden, nul]


async def test_error_pages(db, temp_plugin):
    from litestar.testing import AsyncTestClient

    from core.app import create_app

    temp_plugin(_Boom(), "t_boom")
    async with AsyncTestClient(app=create_app()) as c:
        r = await c.get("/loi/500")
        assert r.status_code == 500 and "Hệ thống gặp sự cố" in r.text
        assert "hunter2" not in r.text and "RuntimeError" not in r.text
        r = await c.get(
            "/loi/500", headers={"accept": "application/json"}
        )  # the JSON form hides internals too
        assert r.status_code == 500 and r.headers["content-type"].startswith("application/problem+json")
        assert "hunter2" not in r.text and "RuntimeError" not in r.text and "Traceback" not in r.text
        r = await c.get("/loi/nul")  # forged bytes the database refuses: the sender's fault, said so
        assert r.status_code == 422 and "có ký tự không được phép" in r.text and "0x00" not in r.text
        r = await c.get("/loi/409")
        assert r.status_code == 409 and "Tiếp nhận hồ sơ — 09:15 23/11/2026" in r.text
        assert "Dữ liệu đã thay đổi trong lúc bạn thao tác" in r.text and "Lỗi 409" in r.text
        assert "Những gì đã thay đổi trong lúc đó" in r.text
        r = await c.get("/loi/403", follow_redirects=False)  # anonymous: asked to sign in first
        assert r.status_code == 303 and r.headers["location"] == "/dang-nhap?next=/loi/403"
        await _sign_in_clerk(c)
        r = await c.get("/loi/403")
        assert r.status_code == 403 and "Bạn không giữ vai trò tiếp nhận" in r.text
        assert 'lang="vi"' in r.text and "Bạn không được phép thực hiện thao tác này" in r.text


async def _sign_in_clerk(client) -> dict:
    """A counter clerk (receiver at a commune) signed in on ``client``."""
    from tests.fixtures.builders import grant, login_as, make_user, standard_tree

    tree = await standard_tree()
    clerk = await make_user("tiepnhan", full_name="Nguyễn Thị Lan")
    await grant(clerk, tree["ward"], "receiver")
    await login_as(client, clerk)
    return clerk


# Routes anyone may open, each with the reason. Every other route must refuse an anonymous visitor,
# unless its handler declares itself public with ``opt={"public": "<reason>"}`` (a plugin's public page).
PUBLIC = {
    ("GET", "/"): "home page",
    ("GET", "/ngon-ngu/{lang:str}"): "language switch",
    ("GET", "/dang-nhap"): "sign-in form",
    ("POST", "/dang-nhap"): "sign-in",
    ("POST", "/dang-xuat"): "sign-out (does nothing when nobody is signed in)",
    ("GET", "/dang-ky"): "citizen registration form",
    ("POST", "/dang-ky"): "citizen registration",
    ("GET", "/thu-tuc"): "public catalogue",
    ("GET", "/thu-tuc/{code:str}"): "public procedure page",
    ("GET", "/api/v1/procedures"): "public catalogue API",
    ("GET", "/api/v1/procedures/{code:str}"): "public catalogue API",
    ("GET", "/tra-cuu"): "dossier status look-up by code (QR on the receipt)",
    ("GET", "/tra-cuu/{code:str}"): "dossier status look-up by code (QR on the receipt)",
    ("GET", "/api/v1/status/{code:str}"): "dossier status look-up API",
    ("GET", "/thanh-toan/{gateway:str}/ket-qua"): "payment gateway returns the payer here",
    ("POST", "/thanh-toan/{gateway:str}/ket-qua"): "payment gateway callback (signed by the gateway)",
}
PUBLIC_PREFIXES = ("/static", "/theme-static", "/schema")


def _walk(app, dossier_code: str):
    """``(method, route path, concrete path)`` for every HTTP handler of the app."""
    from litestar.routes import HTTPRoute

    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue

        def value(m, path=route.path):
            name, kind = m.group(1), m.group(2)
            if kind == "int":
                return "1"
            if name == "code":
                return "1.000001" if path.startswith(("/thu-tuc", "/api/v1/procedures")) else dossier_code
            return "1.pdf" if name == "filename" else "x"

        concrete = re.sub(r"\{(\w+):(\w+)\}", value, route.path)
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                if handler.opt.get("public"):
                    PUBLIC.setdefault((method, route.path), str(handler.opt["public"]))
                yield method, route.path, concrete


async def test_every_non_public_route_refuses_an_anonymous_visitor(client, app):
    from tests.integration.test_documents_builders import CODE, build_dossier

    await build_dossier()  # a real dossier, so that a refusal cannot hide behind "not found"
    await client.get("/")
    token = client.cookies.get("csrftoken")
    checked, wrong = 0, []
    for method, path, concrete in _walk(app, CODE):
        if (method, path) in PUBLIC or path.startswith(PUBLIC_PREFIXES):
            continue
        r = await client.request(method, concrete, headers={"x-csrftoken": token}, follow_redirects=False)
        checked += 1
        if path.startswith("/api/"):
            ok = r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
        else:
            location = unquote(r.headers.get("location", ""))
            ok = r.status_code == 303 and location == f"/dang-nhap?next={concrete}"
        if not ok:
            wrong.append(f"{method} {path}: {r.status_code} {r.headers.get('location', '')}")
    assert not wrong, "routes open to anonymous visitors:\n" + "\n".join(wrong)
    assert checked >= 30  # the walk really covered the app


async def test_public_routes_are_still_routes(app):
    """The allow-list names real routes only (a renamed route must not stay public by accident)."""
    routes = {(m, p) for m, p, _ in _walk(app, "x")}
    assert set(PUBLIC) <= routes, set(PUBLIC) - routes


async def test_admin_pages_refuse_a_clerk_with_a_vietnamese_403(client, app):
    await _sign_in_clerk(client)
    token = client.cookies.get("csrftoken")
    admin = [(m, p, c) for m, p, c in _walk(app, "x") if p.startswith("/quan-tri")]
    assert len(admin) >= 10
    wrong = []
    for method, path, concrete in admin:
        r = await client.request(method, concrete, headers={"x-csrftoken": token}, follow_redirects=False)
        if not (
            r.status_code == 403
            and 'lang="vi"' in r.text
            and "Lỗi 403" in r.text
            and "Bạn không được phép thực hiện thao tác này" in r.text
        ):
            wrong.append(f"{method} {path}: {r.status_code}")
    assert not wrong, "admin routes a clerk could open:\n" + "\n".join(wrong)
    assert (await client.get("/tai-khoan")).status_code == 200  # still signed in: the 403s were not sign-outs


async def test_sign_in_comes_back_to_the_refused_page_with_its_query(client):
    r = await client.get("/quan-tri/nguoi-dung?q=lan", follow_redirects=False)
    assert r.status_code == 303
    assert unquote(r.headers["location"]) == "/dang-nhap?next=/quan-tri/nguoi-dung?q=lan"
    r = await client.get(r.headers["location"])
    assert 'value="/quan-tri/nguoi-dung?q=lan"' in r.text


def test_every_setting_read_from_the_environment_is_in_the_readme():
    """README's settings table names every variable the code reads (issue 2: settings documented)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    read: set[str] = set()
    for folder in ("core", "plugins"):
        for path in (root / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            read |= set(
                re.findall(r"""environ(?:\.get\(|\[)\s*["']((?:MOTCUA_|DATABASE_|REDIS_)[A-Z_]+)["']""", text)
            )
    assert {"DATABASE_URL", "REDIS_URL", "MOTCUA_DATA_DIR", "MOTCUA_SECRET_KEY", "MOTCUA_THEME"} <= read
    readme = (root / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Settings (environment variables)")[1].split("\n## ")[0]
    assert not [v for v in sorted(read) if f"`{v}`" not in table]


async def test_garbage_in_every_identity_and_catalogue_form_is_never_a_500(client):
    """Bad values typed or forged into the forms of this area: a Vietnamese answer, never a 500."""
    from tests.fixtures.builders import grant, login_as, make_user, standard_tree

    tree = await standard_tree()
    admin = await make_user("qt_tinh")
    await grant(admin, tree["province"], "province_admin")
    await client.get("/")
    long = "Đ" * 5000
    junk = [
        {"username": long, "password": long},
        {"username": "\x00'; DROP TABLE motcua_user;--", "password": "x"},
        {
            "full_name": long,
            "birth_date": "99/99/9999",
            "sex": "other",
            "cccd": long,
            "phone": long,
            "email": "@",
            "username": long,
            "password": long,
            "password_confirm": "",
        },
        {"birth_date": "0000-00-00", "cccd": "０７５０８９００１２３４", "sex": "female"},
    ]
    for data in junk:
        for path in ("/dang-nhap", "/dang-ky"):
            r = await client.post(path, data={**data, "_csrf_token": client.cookies.get("csrftoken")})
            assert r.status_code == 422, (path, data, r.status_code)
            assert 'class="error-message"' in r.text
    await login_as(client, admin)
    token = client.cookies.get("csrftoken")
    forged = [
        ("/quan-tri/nguoi-dung", {"action": "grant", "username": long, "agency_id": "abc", "role": "vua"}),
        (
            "/quan-tri/nguoi-dung",
            {"action": "grant", "username": "qt_tinh", "agency_id": "999999", "role": "receiver"},
        ),
        ("/quan-tri/nguoi-dung", {"action": "revoke", "grant_id": "xyz"}),
        ("/quan-tri/nguoi-dung", {"action": "revoke", "grant_id": "999999"}),
        ("/quan-tri/thu-tuc", {"agency_id": "abc", "target": "procedure:1.000001", "enabled": "1"}),
        (
            "/quan-tri/thu-tuc",
            {"agency_id": str(tree["ward"]["id"]), "target": "procedure:0.000000", "enabled": "1"},
        ),
        ("/quan-tri/thu-tuc", {"agency_id": "999999", "target": "domain:khong_co", "enabled": "1"}),
        ("/quan-tri/thu-tuc", {"agency_id": str(tree["ward"]["id"]), "target": "???", "enabled": "1"}),
        (
            "/quan-tri/le-phi",
            {
                "fee_code": long,
                "procedure_code": long,
                "amount": "-5",
                "effective_from": "1/1/1",
                "effective_to": "x",
                "legal_basis": long,
            },
        ),
        (
            "/quan-tri/le-phi",
            {
                "fee_code": "le_phi\x00",
                "amount": "1",
                "effective_from": "01/01/2026",
                "legal_basis": "NQ\x00",
            },
        ),  # PostgreSQL cannot store a NUL byte
    ]
    r = await client.get("/quan-tri/nguoi-dung", params={"q": "a\x00b"})
    assert r.status_code == 200
    for htmx in (False, True):
        for path, data in forged:
            headers = {"x-csrftoken": token, **({"HX-Request": "true"} if htmx else {})}
            r = await client.post(path, data=data, headers=headers, follow_redirects=False)
            saved = r.status_code == 303 or (htmx and r.status_code == 200 and "hx-redirect" in r.headers)
            assert saved or r.status_code in (403, 404, 409, 410, 422), (path, data, htmx, r.status_code)
            assert "Hệ thống gặp sự cố" not in r.text


async def test_error_pages_follow_the_english_switch(client):
    await client.get("/ngon-ngu/en", headers={"referer": "http://127.0.0.1:8000/"})
    r = await client.get("/khong-co-trang-nay")
    assert r.status_code == 404 and 'lang="en"' in r.text and "Page not found" in r.text
    await client.get(
        "/ngon-ngu/vi", headers={"referer": "http://evil.example/x?y=1"}
    )  # back, and no open redirect
    r = await client.get(
        "/ngon-ngu/vi", headers={"referer": "http://evil.example/x?y=1"}, follow_redirects=False
    )
    assert r.headers["location"] == "/"  # another site's page: home, not its path (issue 7)
    r = await client.get("/khong-co-trang-nay")
    assert 'lang="vi"' in r.text and "Không tìm thấy trang" in r.text


async def test_schema_is_served_without_a_cdn(client):
    for path in ("/schema", "/schema/openapi.json", "/schema/openapi.yaml"):
        r = await client.get(path)
        assert r.status_code == 200, path
        assert "cdn." not in r.text and "unpkg" not in r.text
    assert (await client.get("/schema/openapi.json")).json()["info"]["title"] == "motcua API"


async def test_static_files_open_no_session_and_the_page_names_its_icon(client):
    """A stylesheet or icon request must not create (and write) a server session; every page links the
    icon, so browsers stop asking for a missing /favicon.ico."""
    from core.identity.tables import SessionRow as Session

    before = await Session.count()
    for path in ("/static/css/motcua.css", "/static/favicon.svg", "/static/vendor/htmx-2.0.11.min.js"):
        r = await client.get(path)
        assert r.status_code == 200, path
        assert "motcua_session" not in r.headers.get("set-cookie", ""), path
    assert await Session.count() == before
    home = await client.get("/")
    assert 'rel="icon" href="/static/favicon.svg"' in home.text
