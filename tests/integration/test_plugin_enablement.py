"""Proof that the plugin contract is real (issue 4): every domain plugin is switched on and off per
agency at run time by the province administrator, over HTTP, with no restart.

A switched-off plugin (or one switched-off procedure) disappears from that agency's catalogue — the
public pages and ``/api/v1/procedures`` — and takes no new dossier there, online or at the counter,
with a Vietnamese message that says where to go instead; the dossiers it already holds (waiting for
intake or in processing, at the agency or at the other agencies of the route) still finish: steps,
approval with the result written into the plugin's registry, return.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient

from core.catalogue import service
from core.catalogue.registry import get_catalogue
from core.identity.api_auth import issue_token
from core.identity.tables import User
from plugins.civil_status import procedures as civil
from plugins.civil_status.dates import vn_today
from plugins.civil_status.tables import CivilEntry, LinkedResult
from plugins.land import procedures as land
from plugins.land.tables import Certificate
from tests.conftest import csrf_from
from tests.fixtures.builders import grant, login_as, make_user, standard_tree
from tests.plugins.civil_status import samples
from tests.plugins.land.registry_fixtures import BUYER_ID, SELLER, seed_registry

API = "/api/v1/dossiers"
WARD = "000.30.31.H39"
COMMUNE = "000.30.32.H39"

TRANSFER = {
    "commune_code": WARD,
    "map_sheet": 5,
    "parcel_number": 102,
    "certificate_serial": "DA 123456",
    "transferor_name": SELLER["name"],
    "transferor_id_number": SELLER["id_number"],
    "transferor_birth_date": "1980-01-01",
    "transferee_name": "Lê Văn Cường",
    "transferee_id_number": BUYER_ID,
    "transferee_birth_date": "1990-07-07",
    "transferee_address": "Ấp 1, xã Tân Phú",
    "transferee_phone": "0987654321",
    "contract_number": "1234/2026/CC",
    "contract_date": "2026-11-10",
    "price": 1_500_000_000,
    "new_certificate": "yes",
    "fee_exemption": "none",
}
BUYER = {"name": "Lê Văn Cường", "id_number": BUYER_ID, "phone": "0987654321", "address": "Ấp 1, xã Tân Phú"}
MOTHER = {
    "name": "Trần Thị Thu Hà",
    "id_number": "075195001234",
    "phone": "0912345678",
    "address": "12 Phan Chu Trinh, phường Trấn Biên",
}


class World:
    """The standard province, every procedure of every plugin on at the ward and the commune, the
    people who act, and a signed-in province administrator on a browser of their own."""

    def __init__(self, tree, admin_client):
        self.tree = tree
        self.admin = admin_client
        self.tokens: dict[str, str] = {}

    async def person(
        self, key: str, agency: str | None = None, role: str | None = None, cccd: str | None = None
    ):
        row = User(
            username=key,
            full_name=key.replace("_", " ").title(),
            cccd=cccd,
            phone="0912345678",
            email=f"{key}@example.vn",
            password_hash="!",
            created_at=datetime.now(UTC),
        )
        await row.save()
        if agency:
            await grant({"id": row.id}, self.tree[agency], role)
        self.tokens[key] = await issue_token(row.id, "test")

    def h(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[key]}"}

    async def switch(self, target: str, agency: str, enabled: bool) -> None:
        """What the administrator does on /quan-tri/thu-tuc: one click on one cell (or a domain row)."""
        r = await self.admin.post(
            "/quan-tri/thu-tuc",
            data={
                "agency_id": str(self.tree[agency]["id"]),
                "target": target,
                "enabled": "1" if enabled else "0",
                "_csrf_token": csrf_from(self.admin),
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text


@pytest.fixture
async def world(app, client):
    tree = await standard_tree()
    await seed_registry()
    for code in get_catalogue().procedures:
        for key in ("ward", "commune"):
            await service.set_enabled(code, tree[key]["id"], True)
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as admin_client:
        admin = await make_user("qt_tinh")
        await grant(admin, tree["province"], "province_admin")
        await login_as(admin_client, admin)
        w = World(tree, admin_client)
        await w.person("buyer", cccd=BUYER_ID)
        await w.person("mother", cccd=MOTHER["id_number"])
        await w.person("ward_receiver", "ward", "receiver")
        await w.person("ward_justice", "ward", "specialist")
        await w.person("ward_chairman", "ward", "approver")
        await w.person("office_specialist", "land_office", "specialist")
        await w.person("office_director", "land_office", "approver")
        await w.person("tax_officer", "tax", "specialist")
        await w.person("police_officer", "police", "specialist")
        await w.person("insurance_officer", "social_insurance", "specialist")
        yield w


def _codes_of(domain: str) -> set[str]:
    return {code for code, p in get_catalogue().procedures.items() if p.domain == domain}


async def _offered(client, agency: str) -> set[str]:
    r = await client.get("/api/v1/procedures", params={"agency": agency})
    assert r.status_code == 200, r.text
    return {p["code"] for p in r.json()}


async def _page_lists(client, agency: str) -> str:
    r = await client.get("/thu-tuc", params={"co_quan": agency})
    assert r.status_code == 200, r.text
    return r.text


def _listed(page: str, code: str) -> bool:
    return f'href="/thu-tuc/{code}"' in page


@pytest.mark.parametrize("domain", ["land", "business_reg", "civil_status"])
async def test_a_plugin_switched_off_at_one_agency_leaves_its_catalogue_only(client, world, domain):
    cat = get_catalogue()
    assert domain in cat.domains
    mine = _codes_of(domain)
    others = set(cat.procedures) - mine
    assert len(mine) >= 3 and others
    assert mine | others <= await _offered(client, WARD)

    await world.switch(f"domain:{domain}", "ward", False)

    offered = await _offered(client, WARD)
    assert not offered & mine, "a switched-off plugin is still offered by the agency's API catalogue"
    assert others <= offered, "switching one plugin off touched the others"
    assert mine <= await _offered(client, COMMUNE), "the other agencies keep the plugin"
    ward_page, commune_page = await _page_lists(client, WARD), await _page_lists(client, COMMUNE)
    assert not any(_listed(ward_page, code) for code in mine)
    assert all(_listed(ward_page, code) for code in others)
    assert all(_listed(commune_page, code) for code in mine)
    for code in mine:  # the procedure's own page and API no longer name the ward among the places to apply
        detail = (await client.get(f"/api/v1/procedures/{code}")).json()
        assert WARD not in {a["code"] for a in detail["agencies"]} and COMMUNE in {
            a["code"] for a in detail["agencies"]
        }
        page = await client.get(f"/thu-tuc/{code}")
        assert (
            page.status_code == 200
            and "UBND xã Tân Phú" in page.text
            and "UBND phường Trấn Biên" not in page.text
        )

    await world.switch(f"domain:{domain}", "commune", False)  # nowhere in the province now
    for code in mine:
        assert (await client.get(f"/thu-tuc/{code}")).status_code == 410
        assert (await client.get(f"/api/v1/procedures/{code}")).status_code == 410
    whole = await _page_lists(client, "")
    assert not any(_listed(whole, code) for code in mine)

    await world.switch(f"domain:{domain}", "ward", True)  # back, at once, with no restart
    assert mine <= await _offered(client, WARD)
    ward_page = await _page_lists(client, WARD)
    assert all(_listed(ward_page, code) for code in mine)


async def test_one_procedure_switched_off_leaves_the_rest_of_its_plugin(client, world):
    await world.switch(f"procedure:{land.TRANSFER}", "ward", False)
    offered = await _offered(client, WARD)
    assert land.TRANSFER not in offered and {land.FIRST, land.REISSUE} <= offered
    r = await client.post(
        API,
        json={
            "procedure_code": land.TRANSFER,
            "agency_code": WARD,
            "applicant": BUYER,
            "data": TRANSFER,
            "channel": "truc_tuyen",
        },
        headers=world.h("buyer"),
    )
    assert r.status_code == 410, r.text
    assert "UBND phường Trấn Biên hiện không tiếp nhận thủ tục" in r.text and "UBND xã Tân Phú" in r.text


async def _new(client, w: World, who: str, procedure: str, applicant: dict, data: dict, channel="truc_tuyen"):
    return await client.post(
        API,
        json={
            "procedure_code": procedure,
            "agency_code": WARD,
            "applicant": applicant,
            "data": data,
            "channel": channel,
        },
        headers=w.h(who),
    )


def _active(d: dict, step_id: str) -> dict:
    steps = [s for s in d["steps"] if s["status"] == "active" and s["step_id"] == step_id]
    assert len(steps) == 1, d["steps"]
    return steps[0]


async def _act(client, w: World, who: str, d: dict, action: str, step_id: str, **extra) -> dict:
    r = await client.post(
        f"{API}/{d['code']}/actions/{action}",
        json={"version": d["version"], "step_id": _active(d, step_id)["id"], "note": "", **extra},
        headers=w.h(who),
    )
    assert r.status_code == 200, (who, step_id, r.text)
    return r.json()


async def _return(client, w: World, d: dict, receiver: dict) -> dict:
    from core.fees import service as fees

    r = await client.post(
        f"{API}/{d['code']}/actions/mark_result_ready",
        json={"version": d["version"]},
        headers=w.h("ward_receiver"),
    )
    assert r.status_code == 200, r.text
    d = r.json()
    if balance := await fees.balance_due(d["id"]):
        await fees.record_payment(d["id"], actor=None, method="cash", amount=balance)
    r = await client.post(
        f"{API}/{d['code']}/actions/return_result",
        # R30: the originals an online land dossier owes are handed in at the counter and ticked
        json={
            "version": d["version"],
            "channel": "counter",
            "receiver": receiver,
            "originals_received": True,
        },
        headers=w.h("ward_receiver"),
    )
    assert r.status_code == 200, r.text
    return r.json()


async def test_switched_off_plugins_take_nothing_new_but_finish_what_they_hold(client, world):
    w = world
    # Before the switch: a transfer in processing (at the land office), a linked birth submitted online
    # and waiting for intake, and a draft transfer not yet submitted.
    r = await _new(client, w, "buyer", land.TRANSFER, BUYER, TRANSFER)
    assert r.status_code == 201, r.text
    d = r.json()
    d = (
        await client.post(f"{API}/{d['id']}/submit", json={"version": d["version"]}, headers=w.h("buyer"))
    ).json()
    r = await client.post(
        f"{API}/{d['code']}/receive", json={"version": d["version"]}, headers=w.h("ward_receiver")
    )
    assert r.status_code == 200, r.text
    transfer = r.json()
    r = await _new(client, w, "mother", civil.BIRTH_LINKED, MOTHER, samples.birth_linked(vn_today()))
    assert r.status_code == 201, r.text
    birth = r.json()
    r = await client.post(
        f"{API}/{birth['id']}/submit", json={"version": birth["version"]}, headers=w.h("mother")
    )
    assert r.status_code == 200, r.text
    birth = r.json()
    draft = (
        await _new(client, w, "buyer", land.TRANSFER, BUYER, {**TRANSFER, "contract_number": "99/2026/CC"})
    ).json()

    for domain in ("land", "civil_status"):
        await w.switch(f"domain:{domain}", "ward", False)

    # Nothing new: online, at the counter, nor the submission of the old draft — each with the reason
    # and the agencies that do take the procedure in.
    for who, procedure, applicant, data, channel in (
        ("buyer", land.TRANSFER, BUYER, TRANSFER, "truc_tuyen"),
        ("ward_receiver", land.TRANSFER, BUYER, TRANSFER, "truc_tiep"),
        ("mother", civil.BIRTH, MOTHER, samples.birth(vn_today()), "truc_tuyen"),
        ("ward_receiver", civil.DEATH, MOTHER, samples.death(vn_today()), "truc_tiep"),
    ):
        r = await _new(client, w, who, procedure, applicant, data, channel)
        assert r.status_code == 410, (procedure, channel, r.text)
        body = r.json()
        message = body.get("detail") or body.get("message") or r.text
        assert "UBND phường Trấn Biên hiện không tiếp nhận thủ tục" in message, message
        assert "Có thể nộp tại: UBND xã Tân Phú" in message, message
    r = await client.post(
        f"{API}/{draft['id']}/submit", json={"version": draft["version"]}, headers=w.h("buyer")
    )
    assert r.status_code == 410 and "không tiếp nhận" in r.text, r.text
    assert (await client.get(f"{API}/{draft['id']}", headers=w.h("buyer"))).json()["state"] == "draft"

    # What the ward already holds still finishes, at every agency of its route.
    transfer = await _act(client, w, "office_specialist", transfer, "complete_step", "land_office_check")
    transfer = await _act(
        client,
        w,
        "tax_officer",
        transfer,
        "complete_step",
        "tax_notice",
        land_value=1_500_000_000,
        registration_fee=7_500_000,
        pit=30_000_000,
        deadline=(vn_today() + timedelta(days=30)).isoformat(),
    )
    transfer = await _act(client, w, "tax_officer", transfer, "complete_step", "tax_payment")
    transfer = await _act(client, w, "office_director", transfer, "approve", "registration_decision")
    assert transfer["state"] == "result_approved"
    assert await Certificate.count().where(Certificate.dossier_code == transfer["code"]) == 1
    transfer = await _return(client, w, transfer, {"name": BUYER["name"], "id_number": BUYER_ID})
    assert transfer["state"] == "returned"

    r = await client.post(
        f"{API}/{birth['code']}/receive", json={"version": birth["version"]}, headers=w.h("ward_receiver")
    )
    assert r.status_code == 200, r.text
    birth = await _act(client, w, "ward_justice", r.json(), "complete_step", "birth")
    birth = await _act(client, w, "police_officer", birth, "complete_step", "residence")
    birth = await _act(client, w, "insurance_officer", birth, "complete_step", "health_insurance")
    assert birth["state"] == "result_approved"
    assert await CivilEntry.count().where(CivilEntry.dossier_code == birth["code"]) == 1
    assert await LinkedResult.count().where(LinkedResult.dossier_code == birth["code"]) == 2
    birth = await _return(client, w, birth, {"name": MOTHER["name"], "id_number": MOTHER["id_number"]})
    assert birth["state"] == "returned"

    # Switched back on: the ward takes new dossiers again.
    await w.switch("domain:civil_status", "ward", True)
    r = await _new(client, w, "ward_receiver", civil.DEATH, MOTHER, samples.death(vn_today()), "truc_tiep")
    assert r.status_code == 201, r.text
