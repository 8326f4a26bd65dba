"""The user search of ``/quan-tri/nguoi-dung`` (security review, issue 7): an agency administrator
looks up only the staff of the agencies they administer; the province administrator keeps the
province-wide search, citizens' ID numbers included."""

from __future__ import annotations

from tests.fixtures.builders import grant, login_as, make_user, standard_tree

CITIZEN_CCCD = "075090001234"
CLERK_CCCD = "075090005678"
OTHER_CCCD = "075090009999"


async def _world() -> dict:
    tree = await standard_tree()
    users = {
        "province_admin": await make_user("qt.tinh"),
        "ward_admin": await make_user("qt.phuong"),
        "citizen": await make_user("dan.an", full_name="Nguyễn Văn An", cccd=CITIZEN_CCCD),
        "clerk": await make_user("tiepnhan.binh", full_name="Trần Thị Bình", cccd=CLERK_CCCD),
        "other": await make_user("tiepnhan.chau", full_name="Lê Minh Châu", cccd=OTHER_CCCD),
    }
    await grant(users["province_admin"], tree["province"], "province_admin")
    await grant(users["ward_admin"], tree["ward"], "agency_admin")
    await grant(users["citizen"], tree["province"], "citizen")  # as registration does
    await grant(users["clerk"], tree["ward"], "receiver")
    await grant(users["other"], tree["commune"], "receiver")
    return users


def _listed(text: str) -> set[str]:
    return {name for name in ("dan.an", "tiepnhan.binh", "tiepnhan.chau") if f"<code>{name}</code>" in text}


async def test_an_agency_admin_searches_only_their_agencys_staff(client):
    """Rule: an agency admin manages the staff roles of their own agency only, so the search shows
    only users holding a staff role there: a citizen's CCCD or another agency's clerk gives nothing."""
    users = await _world()
    await login_as(client, users["ward_admin"])
    for q in (CITIZEN_CCCD, "dan.an", "Nguyễn Văn An", OTHER_CCCD, "tiepnhan.chau", "Châu"):
        r = await client.get("/quan-tri/nguoi-dung", params={"q": q})
        assert r.status_code == 200 and _listed(r.text) == set(), q
        assert CITIZEN_CCCD not in r.text.replace(f'value="{q}"', "")
    for q in (CLERK_CCCD, "tiepnhan", "Bình", ""):
        r = await client.get("/quan-tri/nguoi-dung", params={"q": q})
        assert r.status_code == 200 and _listed(r.text) == {"tiepnhan.binh"}, q
    assert "Chỉ liệt kê cán bộ của các cơ quan bạn quản trị" in r.text


async def test_the_province_admin_searches_the_whole_province(client):
    users = await _world()
    await login_as(client, users["province_admin"])
    for q, who in ((CITIZEN_CCCD, "dan.an"), (CLERK_CCCD, "tiepnhan.binh"), (OTHER_CCCD, "tiepnhan.chau")):
        r = await client.get("/quan-tri/nguoi-dung", params={"q": q})
        assert r.status_code == 200 and _listed(r.text) == {who}, q
    r = await client.get("/quan-tri/nguoi-dung", params={"q": "tiepnhan"})
    assert _listed(r.text) == {"tiepnhan.binh", "tiepnhan.chau"}
    assert "Chỉ liệt kê cán bộ" not in r.text
