"""The staff registry pages: search own agency's books, 422 with field messages, one entry, access."""

from __future__ import annotations

from datetime import date

from core.api import write_tx
from plugins.civil_status import results
from tests.fixtures.builders import grant, login_as, make_user, standard_tree
from tests.plugins.civil_status import samples

TODAY = date(2026, 11, 23)


async def _seed(tree):
    ward = {"id": tree["ward"]["id"], "code": tree["ward"]["code"], "name": tree["ward"]["name"]}
    other = {"id": tree["commune"]["id"], "code": tree["commune"]["code"], "name": tree["commune"]["name"]}

    def ctx(code, data, agency):
        return {
            "dossier": {"id": 1, "code": code, "data": data, "receiving_agency": agency},
            "agency": agency,
            "today": TODAY,
        }

    async with write_tx():
        m = await results.issue_marriage(ctx("W-1", samples.marriage(TODAY), ward))
        await results.issue_birth(ctx("C-1", samples.birth(TODAY, child_full_name="Đinh Gia Bảo"), other))
    return m


async def test_registry_search_and_entry(client, db):
    tree = await standard_tree()
    await _seed(tree)
    clerk = await make_user("ward_justice")
    await grant(clerk, tree["ward"], "specialist")
    await login_as(client, clerk)
    r = await client.get("/ho-tich/tra-cuu", params={"cccd": "075198004422"})
    assert r.status_code == 200
    assert "Lê Quốc Bảo" in r.text and "Phạm Ngọc Anh" in r.text
    # another commune's book is not visible from the ward
    r = await client.get("/ho-tich/tra-cuu", params={"kind": "birth", "year": "2026"})
    assert "Đinh Gia Bảo" not in r.text
    r = await client.get("/ho-tich/tra-cuu", params={"cccd": "12345", "year": "26"})
    assert r.status_code == 422
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in r.text and "Năm gồm 4 chữ số, ví dụ 2026." in r.text
    r = await client.get("/ho-tich/tra-cuu", params={"kind": "marriage", "year": "2026", "entry_number": "1"})
    import re

    entry_id = re.search(r'href="/ho-tich/tra-cuu/(\d+)"', r.text).group(1)
    r = await client.get(f"/ho-tich/tra-cuu/{entry_id}")
    assert r.status_code == 200 and "1/2026/TLKH" in r.text and "Đang có hiệu lực" in r.text


async def test_registry_needs_staff(client, db):
    tree = await standard_tree()
    await _seed(tree)
    citizen = await make_user("citizen", cccd="075198004422")
    await login_as(client, citizen)
    r = await client.get("/ho-tich/tra-cuu", params={"cccd": "075198004422"})
    assert r.status_code == 403 and "Phạm Ngọc Anh" not in r.text


async def test_entry_of_another_agency_shows_only_its_public_part(client, db):
    """Core's registry rule replaced the plugin's own 'same agency or 404' check: another agency's staff
    see the book, the number and the status, never the people (see test_personal_data.py)."""
    tree = await standard_tree()
    await _seed(tree)
    other = await make_user("commune_clerk")
    await grant(other, tree["commune"], "specialist")
    await login_as(client, other)
    r = await client.get("/ho-tich/tra-cuu/1")
    assert r.status_code == 200 and "Lê Quốc Bảo" not in r.text and "075198004422" not in r.text
    r = await client.get("/ho-tich/tra-cuu/999")
    assert r.status_code == 404
