"""The land registry's personal data under core's one rule (issue 7, item 4): a parcel's holders (names,
CCCD) are shown to staff of the land registration office and of the commune where the parcel lies, and
to staff whose agency holds an active step on a dossier about the parcel; other staff (police, another
commune) see the public part only; each read of the holders writes one audit row."""

from __future__ import annotations

import pytest

from core.audit.tables import AuditEntry
from tests.fixtures.builders import grant, login_as, make_user, standard_tree
from tests.fixtures.dossier_rows import dossier_with_step
from tests.plugins.land.registry_fixtures import SELLER, WARD, seed_registry


@pytest.fixture
async def world(db):
    tree = await standard_tree()
    return {"tree": tree, "ids": await seed_registry()}


async def _as(client, world, name: str, agency: str, role: str = "specialist") -> dict:
    user = await make_user(name)
    await grant(user, world["tree"][agency], role)
    await login_as(client, user)
    return user


async def _reads(user_id: int) -> list[dict]:
    return (
        await AuditEntry.select()
        .where((AuditEntry.actor_id == user_id) & (AuditEntry.action == "registry_personal_read"))
        .output(load_json=True)
    )


@pytest.mark.parametrize("agency, role", [("land_office", "specialist"), ("ward", "receiver")])
async def test_keeping_agencies_see_the_holders_and_each_read_is_audited(client, world, agency, role):
    user = await _as(client, world, f"keeper_{agency}", agency, role)
    url = f"/dat-dai/thua-dat/{world['ids']['certified']}"
    for n in (1, 2):
        r = await client.get(url)
        assert r.status_code == 200 and SELLER["id_number"] in r.text and SELLER["name"] in r.text
        rows = await _reads(user["id"])
        assert len(rows) == n  # one row per read
    assert rows[0]["object_type"] == "land.parcels" and rows[0]["object_id"] == str(world["ids"]["certified"])
    assert rows[0]["chain"] == f"agency:{world['tree'][agency]['code']}"
    assert rows[0]["data"]["reason"] == "keeper"


@pytest.mark.parametrize("agency", ["police", "commune", "social_insurance", "tax"])
async def test_other_staff_see_the_public_part_only(client, world, agency):
    user = await _as(client, world, f"other_{agency}", agency)
    r = await client.get(f"/dat-dai/thua-dat/{world['ids']['certified']}")
    assert r.status_code == 200 and "DA 123456" in r.text and "Khu phố 3, phường Trấn Biên" in r.text
    assert SELLER["id_number"] not in r.text and SELLER["name"] not in r.text
    assert "chỉ hiển thị cho cán bộ" in r.text
    assert await _reads(user["id"]) == []


async def test_an_active_step_on_a_dossier_about_the_parcel_opens_the_holders(client, world):
    tree = world["tree"]
    user = await _as(client, world, "tax_officer", "tax")
    url = f"/dat-dai/thua-dat/{world['ids']['certified']}"
    answers = {
        "commune_code": WARD,
        "map_sheet": "5",
        "parcel_number": "102",
        "certificate_serial": "DA 123456",
    }
    await dossier_with_step(
        code="000.30.31.H39-261201-0001",
        domain="land",
        procedure_code="1.000000",
        receiving=tree["ward"],
        step_agency=tree["tax"],
        data=answers,
        status="done",
        step_id="tax_notice",
    )
    r = await client.get(url)
    assert SELLER["id_number"] not in r.text  # a finished step no longer needs the record
    await dossier_with_step(
        code="000.30.31.H39-261201-0002",
        domain="land",
        procedure_code="1.000000",
        receiving=tree["ward"],
        step_agency=tree["tax"],
        data=answers,
        step_id="tax_notice",
    )
    r = await client.get(url)
    assert r.status_code == 200 and SELLER["id_number"] in r.text
    (row,) = await _reads(user["id"])
    assert row["data"] == {
        "registry": "land.parcels",
        "reason": "dossier",
        "agency": tree["tax"]["code"],
        "dossier": "000.30.31.H39-261201-0002",
    }
    # a dossier about another parcel opens nothing
    r = await client.get(f"/dat-dai/thua-dat/{world['ids']['old_form']}")
    assert "AB 654321" in r.text and SELLER["id_number"] not in r.text


async def test_visitors_and_citizens_as_before(client, world):
    url = f"/dat-dai/thua-dat/{world['ids']['certified']}"
    r = await client.get(url, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/dang-nhap")
    citizen = await make_user("citizen_seller", cccd=SELLER["id_number"])
    await grant(citizen, world["tree"]["province"], "citizen")
    await login_as(client, citizen)
    r = await client.get(url)
    assert r.status_code == 403 and SELLER["name"] not in r.text
    assert await AuditEntry.select().where(AuditEntry.action == "registry_personal_read") == []
