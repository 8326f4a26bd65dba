"""The web shell: home page in Vietnamese, English on request, error pages, CSRF."""

from __future__ import annotations


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
        assert "#0b5394" in r.text  # the province's colour
        assert (await c.get("/theme-static/logo.svg")).status_code == 200


class _Boom:
    """A plugin whose pages fail in the ways the error pages must cover."""

    from core.api import hookimpl

    @hookimpl
    def register_routes(self):
        from litestar import get

        from core.errors import NotAllowed, StaleVersion

        @get("/loi/500", include_in_schema=False)
        async def crash() -> str:
            raise RuntimeError("secret internal detail: password=hunter2")

        @get("/loi/409", include_in_schema=False)
        async def stale() -> str:
            raise StaleVersion("Hồ sơ đã được cán bộ khác cập nhật.", changes=["Tiếp nhận hồ sơ — 09:15 23/11/2026"])

        @get("/loi/403", include_in_schema=False)
        async def forbidden() -> str:
            raise NotAllowed("Bạn không giữ vai trò tiếp nhận tại cơ quan này.")

        return [crash, stale, forbidden]


async def test_error_pages(db, temp_plugin):
    from litestar.testing import AsyncTestClient

    from core.app import create_app

    temp_plugin(_Boom(), "t_boom")
    async with AsyncTestClient(app=create_app()) as c:
        r = await c.get("/loi/500")
        assert r.status_code == 500 and "Hệ thống gặp sự cố" in r.text
        assert "hunter2" not in r.text and "RuntimeError" not in r.text
        r = await c.get("/loi/409")
        assert r.status_code == 409 and "Tiếp nhận hồ sơ — 09:15 23/11/2026" in r.text
        assert "Những gì đã thay đổi trong lúc đó" in r.text
        r = await c.get("/loi/403")
        assert r.status_code == 403 and "Bạn không giữ vai trò tiếp nhận" in r.text
