"""The business register's personal data under core's one rule (issue 7, item 4): owners' and
representatives' ID numbers are shown to staff of the business registration office and of the agency
that registered the business, and to staff whose agency holds an active step on a dossier about it;
other staff (police, another commune) see the public part only; each read writes one audit row;
visitors and citizens see the public record as before."""

from __future__ import annotations

import pytest

from core.audit.tables import AuditEntry
from tests.fixtures.builders import grant, login_as, make_user, standard_tree
from tests.fixtures.dossier_rows import dossier_with_step
from tests.plugins.business_reg.registry_fixtures import (
    EXISTING_CODE,
    EXISTING_REP,
    HOUSEHOLD_CODE,
    HOUSEHOLD_OWNER,
    seed_register,
)


@pytest.fixture
async def world(db):
    tree = await standard_tree()
    return {"tree": tree, "register": await seed_register(tree)}


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


async def test_the_business_registry_office_sees_every_owner_and_each_read_is_audited(client, world):
    user = await _as(client, world, "dkkd", "bizreg")
    r = await client.get(f"/dang-ky-kinh-doanh/doanh-nghiep/{HOUSEHOLD_CODE}")
    assert HOUSEHOLD_OWNER["cccd"] in r.text and HOUSEHOLD_OWNER["name"] in r.text
    r = await client.get(f"/dang-ky-kinh-doanh/doanh-nghiep/{EXISTING_CODE}")
    assert EXISTING_REP["cccd"] in r.text
    rows = await _reads(user["id"])
    assert [(r["object_type"], r["object_id"], r["data"]["reason"]) for r in rows] == [
        ("business_reg.businesses", HOUSEHOLD_CODE, "keeper"),
        ("business_reg.businesses", EXISTING_CODE, "keeper"),
    ]


async def test_the_registering_commune_sees_its_households_not_other_businesses(client, world):
    user = await _as(client, world, "ward_clerk", "ward", "receiver")
    r = await client.get(f"/dang-ky-kinh-doanh/doanh-nghiep/{HOUSEHOLD_CODE}")
    assert HOUSEHOLD_OWNER["cccd"] in r.text
    r = await client.get(
        f"/dang-ky-kinh-doanh/doanh-nghiep/{EXISTING_CODE}"
    )  # registered by the province's office
    assert r.status_code == 200 and EXISTING_REP["name"] in r.text and EXISTING_REP["cccd"] not in r.text
    assert len(await _reads(user["id"])) == 1


@pytest.mark.parametrize("agency", ["police", "commune", "social_insurance"])
async def test_other_staff_see_the_public_part_only(client, world, agency):
    user = await _as(client, world, f"other_{agency}", agency)
    r = await client.get(f"/dang-ky-kinh-doanh/doanh-nghiep/{HOUSEHOLD_CODE}")
    assert r.status_code == 200 and "Hộ kinh doanh Thu Hương" in r.text
    assert HOUSEHOLD_OWNER["cccd"] not in r.text and HOUSEHOLD_OWNER["name"] not in r.text
    r = await client.get(f"/dang-ky-kinh-doanh/doanh-nghiep/{EXISTING_CODE}")
    assert EXISTING_REP["name"] in r.text and EXISTING_REP["cccd"] not in r.text  # the name is public by law
    assert "chỉ hiển thị cho cán bộ" in r.text
    assert await _reads(user["id"]) == []


async def test_an_active_step_on_a_change_dossier_opens_the_enterprise(client, world):
    tree = world["tree"]
    user = await _as(client, world, "tax_officer", "tax")
    await dossier_with_step(
        code="000.03.01.H39-261201-0001",
        domain="business_reg",
        procedure_code="2.000000",
        receiving=tree["centre"],
        step_agency=tree["tax"],
        step_id="tax_check",
        data={"enterprise_code": EXISTING_CODE, "change_kind": "address"},
    )
    r = await client.get(f"/dang-ky-kinh-doanh/doanh-nghiep/{EXISTING_CODE}")
    assert EXISTING_REP["cccd"] in r.text
    r = await client.get(f"/dang-ky-kinh-doanh/doanh-nghiep/{HOUSEHOLD_CODE}")  # not about this one
    assert HOUSEHOLD_OWNER["cccd"] not in r.text
    (row,) = await _reads(user["id"])
    assert row["object_id"] == EXISTING_CODE and row["data"]["dossier"] == "000.03.01.H39-261201-0001"


async def test_visitors_and_citizens_as_before(client, world):
    r = await client.get(f"/dang-ky-kinh-doanh/doanh-nghiep/{EXISTING_CODE}")
    assert r.status_code == 200 and EXISTING_REP["name"] in r.text and EXISTING_REP["cccd"] not in r.text
    citizen = await make_user("owner_citizen", cccd="075190001122")
    await grant(citizen, world["tree"]["province"], "citizen")
    await login_as(client, citizen)
    r = await client.get(f"/dang-ky-kinh-doanh/doanh-nghiep/{HOUSEHOLD_CODE}")
    assert r.status_code == 200
    assert HOUSEHOLD_OWNER["cccd"] not in r.text and HOUSEHOLD_OWNER["name"] not in r.text
    assert await AuditEntry.select().where(AuditEntry.action == "registry_personal_read") == []
