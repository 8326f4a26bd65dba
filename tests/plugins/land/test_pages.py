"""Staff pages of the land registry: search, parcel record, 422 on bad input, 403 for others."""

from __future__ import annotations

from tests.fixtures.builders import grant, login_as, make_user, standard_tree
from tests.plugins.land.registry_fixtures import SELLER, WARD, seed_registry


async def _staff_client(client):
    tree = await standard_tree()
    ids = await seed_registry()
    clerk = await make_user("ward_clerk")
    await grant(clerk, tree["ward"], "receiver")
    await login_as(client, clerk)
    return ids


async def test_search_by_parcel_and_serial(client):
    ids = await _staff_client(client)
    r = await client.get("/dat-dai/tra-cuu", params={"commune_code": WARD, "map_sheet": "5"})
    assert r.status_code == 200
    assert "DA 123456" in r.text and "Khu phố 4, phường Trấn Biên" in r.text
    r = await client.get("/dat-dai/tra-cuu", params={"serial": "da123456"})
    assert r.status_code == 200 and f"/dat-dai/thua-dat/{ids['certified']}" in r.text
    r = await client.get(f"/dat-dai/thua-dat/{ids['certified']}")
    assert r.status_code == 200 and SELLER["name"] in r.text and "Cơ sở dữ liệu đất đai" in r.text


async def test_bad_search_input_is_422_at_the_field(client):
    await _staff_client(client)
    r = await client.get(
        "/dat-dai/tra-cuu", params={"commune_code": WARD, "map_sheet": "abc", "serial": "123"}
    )
    assert r.status_code == 422
    assert "Số tờ bản đồ phải là số nguyên dương" in r.text and "2 chữ cái và 6 chữ số" in r.text
    assert 'value="abc"' in r.text
    assert 'type="number"' not in r.text, "a number input shows the browser nothing of what was typed wrong"


async def test_citizens_and_strangers_are_refused(client):
    await standard_tree()
    await seed_registry()
    r = await client.get("/dat-dai/tra-cuu", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/dang-nhap")  # anonymous: sign in first
    citizen = await make_user("citizen_x", cccd="075199001122")
    await login_as(client, citizen)
    r = await client.get("/dat-dai/thua-dat/1")
    assert r.status_code == 403 and SELLER["name"] not in r.text


async def test_dossier_panel_shows_the_parcel_and_the_indicative_obligation(app):
    from types import SimpleNamespace

    from core.api import UserView
    from plugins.land import procedures
    from plugins.land.panels import panels

    await seed_registry()
    dossier = {
        "procedure_code": procedures.TRANSFER,
        "data": {"commune_code": WARD, "map_sheet": 5, "parcel_number": 102, "price": 2_000_000_000},
    }
    staff = UserView(
        id=1,
        username="x",
        full_name="X",
        cccd=None,
        phone="",
        email="",
        grants=frozenset({(1, "specialist")}),
    )
    (panel,) = await panels(dossier, staff)
    assert panel.context["serial"] == "DA 123456"
    assert [o["amount"] for o in panel.context["obligations"]] == [10_000_000, 40_000_000]
    env = app.template_engine.engine  # as the dossier page renders it: url_for reads the request's app
    html = env.get_template(panel.template).render(**panel.context, request=SimpleNamespace(app=app))
    assert "DA 123456" in html and "10.000.000" in html
    assert f'href="/dat-dai/thua-dat/{panel.context["parcel"]["id"]}"' in html
    citizen = UserView(id=2, username="y", full_name="Y", cccd=None, phone="", email="", grants=frozenset())
    assert await panels(dossier, citizen) == []
    assert await panels({"procedure_code": "9.999999", "data": {}}, staff) == []
