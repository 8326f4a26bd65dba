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
