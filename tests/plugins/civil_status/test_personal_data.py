"""The civil-status books under core's one rule (issue 7, item 4), instead of the plugin's own check:
an entry's people (names, CCCD, registered details) are shown to staff of the agency whose book it is
in, and to staff whose agency holds an active step on a dossier about it (the police's residence step
of the linked birth route); other staff see the public part (book, number, dates, status) only; each
read writes one audit row; visitors and citizens are refused as before."""

from __future__ import annotations

from datetime import date

import pytest

from core.api import write_tx
from core.audit.tables import AuditEntry
from plugins.civil_status import results
from plugins.civil_status.tables import CivilEntry
from tests.fixtures.builders import grant, login_as, make_user, standard_tree
from tests.fixtures.dossier_rows import dossier_with_step
from tests.plugins.civil_status import samples

TODAY = date(2026, 11, 23)
WIFE_CCCD, MOTHER_CCCD = "075198004422", "075195001234"
BIRTH_CODE = "000.30.32.H39-261123-0001"


@pytest.fixture
async def world(db):
    tree = await standard_tree()
    ward, commune = ({k: tree[key][k] for k in ("id", "code", "name")} for key in ("ward", "commune"))

    def ctx(code, data, agency):
        dossier = {"id": 1, "code": code, "data": data, "receiving_agency": agency}
        return {"dossier": dossier, "agency": agency, "today": TODAY}

    async with write_tx():
        await results.issue_marriage(ctx("000.30.31.H39-261123-0001", samples.marriage(TODAY), ward))
        birth = samples.birth(TODAY, child_full_name="Đinh Gia Bảo")
        await results.issue_birth(ctx(BIRTH_CODE, birth, commune))
    ids = {r["kind"]: r["id"] for r in await CivilEntry.select(CivilEntry.id, CivilEntry.kind)}
    return {"tree": tree, "ids": ids}


async def _as(client, world, name: str, agency: str, role: str = "specialist") -> dict:
    user = await make_user(name)
    await grant(user, world["tree"][agency], role)
    await login_as(client, user)
    return user


async def _rows(user_id: int, action: str = "registry_personal_read") -> list[dict]:
    return (
        await AuditEntry.select()
        .where((AuditEntry.actor_id == user_id) & (AuditEntry.action == action))
        .output(load_json=True)
    )


async def test_the_keeping_agency_sees_the_entry_and_each_read_is_audited(client, world):
    user = await _as(client, world, "ward_justice", "ward")
    url = f"/ho-tich/tra-cuu/{world['ids']['marriage']}"
    for n in (1, 2):
        r = await client.get(url)
        assert r.status_code == 200 and WIFE_CCCD in r.text and "Phạm Ngọc Anh" in r.text
        assert len(await _rows(user["id"])) == n
    row = (await _rows(user["id"]))[0]
    assert (row["object_type"], row["object_id"], row["data"]["reason"]) == (
        "civil_status.entries",
        str(world["ids"]["marriage"]),
        "keeper",
    )


async def test_a_search_listing_names_writes_one_audit_row(client, world):
    user = await _as(client, world, "ward_search", "ward")
    r = await client.get("/ho-tich/tra-cuu", params={"cccd": WIFE_CCCD})
    assert "Phạm Ngọc Anh" in r.text
    (row,) = await _rows(user["id"], "registry_personal_list")
    assert row["data"]["records"] == [str(world["ids"]["marriage"])]
    assert row["data"]["query"] == {"cccd": WIFE_CCCD}
    r = await client.get("/ho-tich/tra-cuu", params={"kind": "birth", "year": "2026"})
    assert "Đinh Gia Bảo" not in r.text  # another commune's book is not searched from the ward
    assert len(await _rows(user["id"], "registry_personal_list")) == 1  # nothing shown, nothing written


@pytest.mark.parametrize("agency", ["commune", "police", "social_insurance"])
async def test_other_staff_see_the_public_part_only(client, world, agency):
    user = await _as(client, world, f"other_{agency}", agency)
    r = await client.get(f"/ho-tich/tra-cuu/{world['ids']['marriage']}")
    assert r.status_code == 200 and "1/2026" in r.text and "Đang có hiệu lực" in r.text
    assert WIFE_CCCD not in r.text and "Phạm Ngọc Anh" not in r.text and "Lê Quốc Bảo" not in r.text
    assert "chỉ hiển thị cho cán bộ" in r.text
    assert await _rows(user["id"]) == []


async def test_the_police_step_of_the_linked_birth_route_opens_the_birth_entry(client, world):
    tree = world["tree"]
    user = await _as(client, world, "police_residence", "police")
    url = f"/ho-tich/tra-cuu/{world['ids']['birth']}"
    r = await client.get(url)
    assert "Đinh Gia Bảo" not in r.text and MOTHER_CCCD not in r.text
    await dossier_with_step(
        code=BIRTH_CODE,
        domain="civil_status",
        procedure_code="1.001193",
        receiving=tree["commune"],
        step_agency=tree["police"],
        step_id="residence",
    )
    r = await client.get(url)
    assert r.status_code == 200 and "Đinh Gia Bảo" in r.text and MOTHER_CCCD in r.text
    (row,) = await _rows(user["id"])
    assert row["data"]["reason"] == "dossier" and row["data"]["dossier"] == BIRTH_CODE
    assert row["chain"] == f"agency:{tree['police']['code']}"
    # the step needs only its own entry
    r = await client.get(f"/ho-tich/tra-cuu/{world['ids']['marriage']}")
    assert WIFE_CCCD not in r.text


async def test_visitors_and_citizens_as_before(client, world):
    url = f"/ho-tich/tra-cuu/{world['ids']['marriage']}"
    r = await client.get(url, follow_redirects=False)
    assert r.status_code in (303, 401, 403) and WIFE_CCCD not in r.text
    citizen = await make_user("the_wife", cccd=WIFE_CCCD)
    await grant(citizen, world["tree"]["province"], "citizen")
    await login_as(client, citizen)
    r = await client.get(url)
    assert r.status_code == 403 and "Phạm Ngọc Anh" not in r.text
    assert await AuditEntry.select().where(AuditEntry.action.like("registry_personal_%")) == []
