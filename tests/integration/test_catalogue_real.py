"""Every procedure the installed plugins declare renders its page and its API entry once enabled."""

from __future__ import annotations

from core.catalogue import service
from core.catalogue.registry import get_catalogue
from tests.fixtures.builders import standard_tree


async def test_every_declared_procedure_renders(client):
    tree = await standard_tree()
    codes = list(get_catalogue().procedures)
    for code in codes:
        await service.set_enabled(code, tree["centre"]["id"], True)
    listed = [p["code"] for p in (await client.get("/api/v1/procedures")).json()]
    assert listed == codes
    for code in codes:
        r = await client.get(f"/thu-tuc/{code}")
        assert r.status_code == 200, (code, r.text[-500:])
        assert "Trung tâm Phục vụ hành chính công tỉnh Đồng Nai" in r.text
        api = await client.get(f"/api/v1/procedures/{code}")
        assert api.status_code == 200 and api.json()["code"] == code
        assert api.json()["documents"] and api.json()["steps"] and api.json()["form"]
    r = await client.get("/thu-tuc")
    assert r.status_code == 200 and all(f"/thu-tuc/{code}" in r.text for code in codes)
