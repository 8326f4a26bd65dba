"""Portal gaps (issue 10): starting twice makes one draft; the rating opens with the status look-up key
(one secret), and the status page's rating link carries it."""

from __future__ import annotations

import pytest

from core.dossiers.tables import Dossier
from tests.fixtures.builders import login_as
from tests.integration.test_portal_apply import HOUSEHOLD, OWNER_PAGE, make_world, post


@pytest.fixture
async def world(db):
    return await make_world()


async def test_start_clicked_twice_makes_one_draft(client, world):
    w = world
    await login_as(client, w["citizen"])
    form = {"agency": str(w["tree"]["ward"]["id"])}
    first = await post(client, f"/thu-tuc/{HOUSEHOLD}/nop", form)
    second = await post(client, f"/thu-tuc/{HOUSEHOLD}/nop", form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert await Dossier.count() == 1
    # once something is saved in it, starting again is a new application
    draft = first.headers["location"].split("/")[2]
    await post(client, f"/ho-so-cua-toi/{draft}/trang/owner", OWNER_PAGE)
    third = await post(client, f"/thu-tuc/{HOUSEHOLD}/nop", form)
    assert third.headers["location"] != first.headers["location"] and await Dossier.count() == 2
    # another agency, or another citizen, never gets this one
    other_agency = await post(
        client, f"/thu-tuc/{HOUSEHOLD}/nop", {"agency": str(w["tree"]["commune"]["id"])}
    )
    assert other_agency.headers["location"] != third.headers["location"]
    client.cookies.clear()
    await login_as(client, w["other"])
    theirs = await post(client, f"/thu-tuc/{HOUSEHOLD}/nop", form)
    assert theirs.headers["location"] not in (third.headers["location"], other_agency.headers["location"])
    assert await Dossier.count() == 4


async def test_a_structured_supplement_request_shows_exactly_its_slots_and_fields(client, world):
    """The clerk ticks the slots and answers asked for on the staff dossier page; they are stored in
    the event, printed on form 02's list, and the citizen sees and may supply exactly those; the clerk
    then reads what changed."""
    from core.dossiers import service
    from core.dossiers.tables import DossierEvent
    from tests.integration.test_portal_apply import pdf_bytes, upload
    from tests.integration.test_portal_follow import submitted

    w = world
    code = await submitted(client, w)
    client.cookies.clear()
    await login_as(client, w["receiver"])
    page = await client.get(f"/ho-so/{code}")
    assert (
        'name="slots" value="family_minutes"' in page.text
        and 'name="fields" value="business_name"' in page.text
    )
    d = await service.get(code)
    url = f"/ho-so/{code}/thao-tac/request_supplement"
    base = {"version": str(d.version), "note": "Thiếu biên bản; tên hộ kinh doanh trùng"}
    bad = await post(client, url, {**base, "slots": ["family_minutes", "no_such_slot"]})
    assert bad.status_code == 422 and "no_such_slot" in bad.text
    assert (await service.get(code)).state == "submitted"
    r = await post(client, url, {**base, "slots": "family_minutes", "fields": "business_name"})
    assert r.status_code == 303, r.text[:2000]
    ev = (
        await DossierEvent.select(DossierEvent.data)
        .where((DossierEvent.dossier == d.id) & (DossierEvent.action == "request_supplement"))
        .output(load_json=True)
        .first()
    )
    assert ev["data"]["slots"] == ["family_minutes"] and ev["data"]["fields"] == ["business_name"]
    assert any("Sửa thông tin: " in i for i in ev["data"]["items"]), "form 02 lists them"

    client.cookies.clear()
    await login_as(client, w["citizen"])
    r = await client.get(f"/ho-so-cua-toi/{code}/bo-sung")
    assert 'value="family_minutes"' in r.text and 'value="application"' not in r.text
    assert 'name="business_name"' in r.text and 'name="employees"' not in r.text
    refused = await upload(client, code, "application", "khac.pdf", pdf_bytes(1))
    assert refused.status_code == 422 and "không yêu cầu" in refused.text
    assert (await upload(client, code, "family_minutes", "bien-ban.pdf", pdf_bytes(1))).status_code == 303
    d = await service.get(code)
    r = await post(
        client,
        f"/ho-so-cua-toi/{code}/bo-sung",
        {"version": str(d.version), "business_name": "Hộ kinh doanh Mai Xanh"},
    )
    assert r.status_code == 303, r.text[:2000]
    client.cookies.clear()
    await login_as(client, w["receiver"])
    staff = await client.get(f"/ho-so/{code}")
    assert "bien-ban.pdf" in staff.text and "Hộ kinh doanh Mai Xanh" in staff.text
    assert "Thông tin đã sửa" in staff.text, "the clerk sees what changed"
