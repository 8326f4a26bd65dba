"""Issue 9: the province administrator chooses the theme at ``/quan-tri/giao-dien``; the next request
is drawn with it (templates, colours, logo) without a restart, another app process sharing the data
folder follows, and the change is audited. Nobody else may change it."""

from __future__ import annotations

import pytest

from core.audit.tables import AuditEntry
from core.text.themes import CHOICE_FILE
from tests.conftest import csrf_from
from tests.fixtures.builders import grant, login_as, make_user, standard_tree


async def _post(client, path: str, **data):
    return await client.post(path, data={**data, "_csrf_token": csrf_from(client)}, follow_redirects=False)


@pytest.fixture
def forget_the_choice(app):
    yield
    (app.state.settings.data_dir / CHOICE_FILE).unlink(missing_ok=True)


async def test_the_theme_changes_without_a_restart_and_is_audited(client, app, forget_the_choice):
    from litestar.testing import AsyncTestClient

    tree = await standard_tree()
    admin = await make_user("qt.tinh")
    await grant(admin, tree["province"], "province_admin")
    ward_admin = await make_user("qt.phuong")
    await grant(ward_admin, tree["ward"], "agency_admin")
    settings = app.state.settings
    assert settings.theme == "default"

    home = await client.get("/")
    assert "Cổng dịch vụ công" in home.text and 'href="/theme.css?v=default"' in home.text
    assert "#9b1c1c" in (await client.get("/theme.css?v=default")).text
    assert (await client.get("/theme-static/logo.svg")).status_code == 404  # the default theme has none

    # Another process of the same installation (same data folder), already running.
    from core.app import create_app

    other_app = create_app(settings)
    async with AsyncTestClient(app=other_app) as other:
        assert "Cổng dịch vụ công" in (await other.get("/")).text

        await login_as(client, admin)
        page = await client.get("/quan-tri/giao-dien")
        assert page.status_code == 200 and "Tỉnh Đồng Nai" in page.text and 'value="dongnai"' in page.text
        r = await _post(client, "/quan-tri/giao-dien", theme="khong-co")
        assert r.status_code == 422 and "Vui lòng chọn một giao diện có trong danh sách" in r.text
        r = await _post(client, "/quan-tri/giao-dien", theme="dongnai")
        assert r.status_code == 303
        page = await client.get("/quan-tri/giao-dien")
        assert "Đã đổi giao diện" in page.text and 'href="/theme.css?v=dongnai"' in page.text
        assert "#0b5394" in (await client.get("/theme.css?v=dongnai")).text
        logo = await client.get("/theme-static/logo.svg")
        assert logo.status_code == 200 and b"<svg" in logo.content
        assert (await client.get("/theme-static/../theme.toml")).status_code == 404
        # The other process follows at its next request, its own template override included.
        home = await other.get("/")
        assert "Tỉnh Đồng Nai" in home.text and 'href="/theme.css?v=dongnai"' in home.text
        assert "đường Phạm Văn Thuận" in home.text  # themes/dongnai/templates/footer.html

    rows = await AuditEntry.select().where(AuditEntry.action == "theme_changed")
    assert len(rows) == 1 and rows[0]["chain"] == "site" and rows[0]["actor_id"] == admin["id"]
    # Choosing the theme in use changes nothing and logs nothing.
    await _post(client, "/quan-tri/giao-dien", theme="dongnai")
    assert await AuditEntry.count().where(AuditEntry.action == "theme_changed") == 1
    # Back to the default, for the tests after this one.
    await _post(client, "/quan-tri/giao-dien", theme="default")
    assert "Cổng dịch vụ công" in (await client.get("/")).text

    # An agency administrator may not change it.
    await login_as(client, ward_admin)
    assert (await client.get("/quan-tri/giao-dien")).status_code == 403
    assert (await _post(client, "/quan-tri/giao-dien", theme="dongnai")).status_code == 403
