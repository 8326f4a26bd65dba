"""Who sees a dossier (DESIGN.md, security model): its applicant; staff of the receiving agency and of
the agencies whose steps have been activated (current or past); never an agency whose step still waits
in a later stage, until the dossier is handed over to it. One rule for the staff page, the documents
and fees pages and the JSON API."""

from __future__ import annotations

import pytest

from core.dossiers import access, service
from core.dossiers.tables import DossierStep
from core.identity.api_auth import issue_token
from tests.fixtures.builders import grant, login_as, make_user
from tests.fixtures.engine_route import PROC, actor, setup_route


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


def active(d, sid):
    return next(s for s in d.active_steps() if s.step_id == sid)


async def _received_online(w):
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["citizen"],
        applicant={"name": "Nguyễn Văn An"},
        data={"subject": "x"},
        channel="truc_tuyen",
    )
    d = await service.submit(d.id, actor=w["as"]["citizen"], version=d.version)
    return await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)


async def _sees(client, user: dict, code: str) -> dict[str, bool]:
    """What ``user`` gets from each place that reads the dossier: True when it is shown."""
    client.cookies.clear()  # the previous user's session cookie, as the server set it
    await login_as(client, user)
    tok = await issue_token(user["id"], "t")
    auth = {"Authorization": f"Bearer {tok}"}
    out = {
        "page": (await client.get(f"/ho-so/{code}")).status_code,
        "documents": (await client.get(f"/ho-so/{code}/tai-lieu")).status_code,
        "fees": (await client.get(f"/ho-so/{code}/le-phi")).status_code,
        "api": (await client.get(f"/api/v1/dossiers/{code}", headers=auth)).status_code,
        "api_events": (await client.get(f"/api/v1/dossiers/{code}/events", headers=auth)).status_code,
    }
    assert all(s in (200, 403, 404) for s in out.values()), out
    return {k: s == 200 for k, s in out.items()}


ALL = {"page": True, "documents": True, "fees": True, "api": True, "api_events": True}
NONE = {k: False for k in ALL}


async def test_a_later_stage_agency_sees_the_dossier_only_once_handed_over(client, world):
    w = world
    u = w["users"]
    d = await _received_online(w)
    assert {s.step_id: s.status for s in d.steps}["tax_op"] == "waiting"

    # stage 1 at the ward: the tax and police units, whose steps wait in stage 2, do not see it yet
    assert not access.can_view(w["as"]["tax_specialist"], d)
    assert not access.can_view(w["as"]["police_specialist"], d)
    assert await _sees(client, u["tax_specialist"], d.code) == NONE
    assert await _sees(client, u["police_specialist"], d.code) == NONE
    for name in ("receiver", "ward_specialist", "ward_leader", "citizen"):
        assert access.can_view(w["as"][name], d), name
        assert await _sees(client, u[name], d.code) == ALL, name
    # staff of an unrelated commune and another citizen never see it
    assert await _sees(client, u["commune_specialist"], d.code) == NONE
    other = await make_user("other_citizen", full_name="Trần Thị Bình", cccd="079123456780")
    await grant(other, w["tree"]["province"], "citizen")
    assert await _sees(client, other, d.code) == NONE
    # a province administrator sees every dossier
    admin = await make_user("prov_admin", full_name="Quản trị tỉnh")
    await grant(admin, w["tree"]["province"], "province_admin")
    assert await _sees(client, admin, d.code) == ALL

    # handed over to stage 2: both units see it now
    d = await service.complete_step(
        d.id, active(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    assert access.can_view(w["as"]["tax_specialist"], d) and access.can_view(w["as"]["police_specialist"], d)
    assert await _sees(client, u["tax_specialist"], d.code) == ALL
    assert await _sees(client, u["police_specialist"], d.code) == ALL

    # the tax step is finished (a past step): the tax unit keeps seeing it
    d = await service.complete_step(
        d.id, active(d, "tax_op").id, actor=w["as"]["tax_specialist"], version=d.version
    )
    assert access.can_view(w["as"]["tax_specialist"], d)
    assert await _sees(client, u["tax_specialist"], d.code) == ALL


async def test_a_cancelled_step_never_started_grants_nothing(world):
    """A step cancelled while still waiting (e.g. a route changed) was never at its agency."""
    w = world
    d = await _received_online(w)
    await DossierStep.update({DossierStep.status: "cancelled"}).where(
        (DossierStep.dossier == d.id) & (DossierStep.step_id == "tax_op")
    )
    d = await service.get(d.id)
    assert not access.can_view(w["as"]["tax_specialist"], d)
    assert w["tree"]["tax"]["id"] not in await access.staff_agencies(d.id, d.receiving_agency.id)


async def test_the_rule_costs_one_query_whatever_the_route(world, count_queries):
    """Loaded views are checked without a query; the documents and fees pages ask one indexed
    question about the steps, however many steps the dossier has had."""
    w = world
    d = await _received_online(w)
    with count_queries() as q:
        assert access.can_view(w["as"]["ward_specialist"], d)
        assert not access.can_view(w["as"]["tax_specialist"], d)
    assert len(q) == 0
    with count_queries() as before:
        agencies = await access.staff_agencies(d.id, d.receiving_agency.id)
    assert agencies == {w["tree"]["ward"]["id"]}
    d = await service.complete_step(
        d.id, active(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    for sid, who in (("tax_op", "tax_specialist"), ("police_op", "police_specialist")):
        d = await service.complete_step(d.id, active(d, sid).id, actor=w["as"][who], version=d.version)
    with count_queries() as after:
        agencies = await access.staff_agencies(d.id, d.receiving_agency.id)
    assert agencies == {w["tree"][k]["id"] for k in ("ward", "tax", "police")}
    assert len(before) == len(after) == 1
