"""The business register's pages: a public look-up by code or name that shows only public data, one
business's record (people's personal data for staff only), and the staff panel on a dossier."""

from __future__ import annotations

import pytest

from tests.fixtures.builders import grant, login_as, make_user, standard_tree
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


async def test_public_lookup_by_name_and_code_shows_no_personal_data(client, world):
    r = await client.get("/dang-ky-kinh-doanh/tra-cuu", params={"q": "song dong nai"})
    assert r.status_code == 200
    assert EXISTING_CODE in r.text and "Công ty TNHH Sông Đồng Nai" in r.text
    r = await client.get("/dang-ky-kinh-doanh/tra-cuu", params={"q": HOUSEHOLD_CODE})
    assert "Hộ kinh doanh Thu Hương" in r.text
    assert HOUSEHOLD_OWNER["name"] not in r.text and HOUSEHOLD_OWNER["cccd"] not in r.text
    r = await client.get(f"/dang-ky-kinh-doanh/doanh-nghiep/{HOUSEHOLD_CODE}")
    assert r.status_code == 200 and "Bán buôn thực phẩm" in r.text
    assert HOUSEHOLD_OWNER["name"] not in r.text and HOUSEHOLD_OWNER["cccd"] not in r.text
    r = await client.get(f"/dang-ky-kinh-doanh/doanh-nghiep/{EXISTING_CODE}")
    # An enterprise's legal representative is published by name (Decree 168/2025), never the ID number.
    assert EXISTING_REP["name"] in r.text and EXISTING_REP["cccd"] not in r.text


async def test_bad_queries_are_refused_at_the_field(client, world):
    r = await client.get("/dang-ky-kinh-doanh/tra-cuu", params={"q": "36000"})
    assert r.status_code == 422 and "10 chữ số" in r.text and 'id="f-q-error"' in r.text
    r = await client.get("/dang-ky-kinh-doanh/tra-cuu", params={"q": "ab"})
    assert r.status_code == 422 and "ít nhất 3 ký tự" in r.text
    r = await client.get("/dang-ky-kinh-doanh/tra-cuu", params={"q": "Không có tên này"})
    assert r.status_code == 200 and "Không tìm thấy doanh nghiệp" in r.text
    r = await client.get("/dang-ky-kinh-doanh/doanh-nghiep/0000000000")
    assert r.status_code == 404


async def test_staff_see_owners_with_their_id_numbers(client, world):
    clerk = await make_user("canbo.dkkd")
    await grant(clerk, world["tree"]["bizreg"], "specialist")
    await login_as(client, clerk)
    r = await client.get(f"/dang-ky-kinh-doanh/doanh-nghiep/{HOUSEHOLD_CODE}")
    assert HOUSEHOLD_OWNER["name"] in r.text and HOUSEHOLD_OWNER["cccd"] in r.text


async def test_a_citizen_does_not_see_other_people(client, world):
    citizen = await make_user("congdan", cccd="075190001122")
    await grant(citizen, world["tree"]["province"], "citizen")
    await login_as(client, citizen)
    r = await client.get(f"/dang-ky-kinh-doanh/doanh-nghiep/{HOUSEHOLD_CODE}")
    assert (
        r.status_code == 200
        and HOUSEHOLD_OWNER["cccd"] not in r.text
        and HOUSEHOLD_OWNER["name"] not in r.text
    )
