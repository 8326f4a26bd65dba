"""Security review (issue 7), item 7: a citizen's online draft is theirs until they submit it.

The receiving desk receives, refuses or asks a supplement at intake only of a dossier that was
submitted online, or of one the desk itself entered (at the counter or from the post). Acting on a
citizen's unsubmitted draft — which would allocate the code and start the legal clock on something
the citizen has not filed — is refused with a clear message, changes nothing, and is not offered on
the dossier page; nor may the desk submit the citizen's draft for them.
"""

from __future__ import annotations

import pytest

from core.contract.errors import NotAllowed
from core.dossiers import access, service
from core.dossiers.tables import DossierEvent
from core.identity.api_auth import issue_token
from tests.fixtures.builders import login_as
from tests.fixtures.engine_route import PROC, actor, setup_route

INTAKE = ("receive", "refuse_intake", "request_supplement")


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


async def _online_draft(w):
    return await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["citizen"],
        applicant={"name": "Nguyễn Văn An"},
        data={"subject": "x"},
        channel="truc_tuyen",
    )


async def _counter_draft(w, channel="truc_tiep"):
    return await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Phạm Thị Dung"},
        data={"subject": "x"},
        channel=channel,
    )


async def _intake(w, d, action, who="receiver"):
    return await service.act(
        d.id,
        action,
        actor=w["as"][who],
        version=d.version,
        note="Lý do",
        items=["Bản sao"] if action == "request_supplement" else None,
    )


@pytest.mark.parametrize("action", (*INTAKE, "submit"))
async def test_the_desk_cannot_act_on_a_citizens_unsubmitted_draft(world, action):
    w = world
    d = await _online_draft(w)
    with pytest.raises(NotAllowed) as info:
        await _intake(w, d, action)
    assert "chưa nộp" in info.value.message and "bản nháp" in info.value.message
    now = await service.get(d.id)
    assert (now.state, now.version, now.code, now.received_at, now.clock_start_at, now.due_at) == (
        "draft",
        1,
        None,
        None,
        None,
        None,
    ), "no code, no clock: nothing happened"
    assert await DossierEvent.count().where(DossierEvent.dossier == d.id) == 1
    assert not [a for a in access.allowed_actions(w["as"]["receiver"], now) if a["action"] in INTAKE]


async def test_the_desk_is_refused_on_the_web_and_in_the_api(client, world):
    w = world
    d = await _online_draft(w)
    await login_as(client, w["users"]["receiver"])
    page = await client.get(f"/ho-so/{d.id}")
    assert (
        page.status_code == 200
        and "/thao-tac/receive" not in page.text
        and "/thao-tac/refuse_intake" not in page.text
    )
    r = await client.post(
        f"/ho-so/{d.id}/thao-tac/receive",
        data={"version": "1", "_csrf_token": client.cookies.get("csrftoken")},
    )
    assert r.status_code == 403 and "chưa nộp" in r.text
    tok = await issue_token(w["users"]["receiver"]["id"], "t")
    for path in ("receive", "submit", "actions/refuse_intake", "actions/request_supplement"):
        r = await client.post(
            f"/api/v1/dossiers/{d.id}/{path}",
            headers={"Authorization": f"Bearer {tok}"},
            json={"version": 1, "note": "Lý do", "items": ["Bản sao"]},
        )
        assert r.status_code == 403 and "chưa nộp" in r.json()["detail"], (path, r.text)
    assert (await service.get(d.id)).version == 1


@pytest.mark.parametrize("action", INTAKE)
async def test_once_the_citizen_submits_the_desk_may_take_it_in(world, action):
    w = world
    d = await _online_draft(w)
    d = await service.submit(d.id, actor=w["as"]["citizen"], version=d.version)
    assert [
        a["action"] for a in access.allowed_actions(w["as"]["receiver"], d) if a["action"] in INTAKE
    ] == list(("receive", "request_supplement", "refuse_intake"))
    after = await _intake(w, d, action)
    assert (
        after.state
        == {"receive": "received", "refuse_intake": "refused", "request_supplement": "supplement_requested"}[
            action
        ]
    )
    if action == "receive":
        assert after.code == d.code and after.clock_start_at is not None and after.due_at is not None


@pytest.mark.parametrize("channel", ("truc_tiep", "buu_chinh"))
@pytest.mark.parametrize("action", INTAKE)
async def test_a_draft_the_desk_entered_itself_may_be_taken_in(world, action, channel):
    w = world
    d = await _counter_draft(w, channel)
    assert {"receive", "refuse_intake"} <= {
        a["action"] for a in access.allowed_actions(w["as"]["receiver"], d)
    }
    after = await _intake(w, d, action)
    assert (
        after.state
        == {"receive": "received", "refuse_intake": "refused", "request_supplement": "supplement_requested"}[
            action
        ]
    )
    if action == "receive":
        assert after.code and after.clock_start_at is not None


async def test_another_agencys_desk_still_cannot_touch_a_counter_draft(world):
    w = world
    d = await _counter_draft(w)
    from core.contract.errors import NotFound

    with pytest.raises(NotFound):
        await _intake(w, d, "receive", who="commune_receiver")
    assert (await service.get(d.id)).version == 1
