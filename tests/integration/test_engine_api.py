"""Issue 3, the JSON API: create and submit, read with permission (others refused), the event list,
and a public status by code that never shows personal data (name, CCCD, phone, e-mail, address,
answers) — neither in the API nor on the HTML status page."""

from __future__ import annotations

import pytest

from core.identity.api_auth import issue_token
from tests.fixtures.builders import grant
from tests.fixtures.engine_route import PROC, make_user, setup_route

NAME, CCCD, PHONE, EMAIL, ADDRESS = (
    "Lương Thị Mỹ Duyên",
    "079305001234",
    "0987654321",
    "duyen@example.vn",
    "Số 12 đường Phạm Văn Thuận",
)
SECRET_ANSWER = "Nội dung riêng tư của tờ khai"


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    other = await make_user("other_citizen", full_name="Người Khác", cccd="079999999999")
    await grant(other, w["tree"]["province"], "citizen")
    w["users"]["other_citizen"] = other
    w["tok"] = {name: await issue_token(u["id"], "test") for name, u in w["users"].items()}
    return w


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def _submitted(client, w) -> dict:
    r = await client.post(
        "/api/v1/dossiers",
        headers=bearer(w["tok"]["citizen"]),
        json={
            "procedure_code": PROC,
            "agency_code": w["tree"]["ward"]["code"],
            "channel": "truc_tuyen",
            "applicant": {
                "name": NAME,
                "id_number": CCCD,
                "phone": PHONE,
                "email": EMAIL,
                "address": ADDRESS,
            },
            "data": {"subject": SECRET_ANSWER},
        },
    )
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["state"] == "draft" and d["applicant_id_number"] == CCCD and d["code"] is None
    r = await client.post(
        f"/api/v1/dossiers/{d['id']}/submit",
        headers=bearer(w["tok"]["citizen"]),
        json={"version": d["version"]},
    )
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["state"] == "submitted" and d["code"].startswith(w["tree"]["ward"]["code"] + "-")
    return d


async def test_create_submit_and_read_with_permission(client, world):
    w = world
    d = await _submitted(client, w)
    code = d["code"]
    # the applicant and the receiving agency read it, by code or id
    for who, ref in (("citizen", code), ("receiver", code), ("receiver", d["id"])):
        r = await client.get(f"/api/v1/dossiers/{ref}", headers=bearer(w["tok"][who]))
        assert r.status_code == 200 and r.json()["applicant_name"] == NAME, (who, r.text)
    # another citizen, or staff of an agency with nothing to do with it: refused, and nothing leaks
    for who in ("other_citizen", "commune_receiver"):
        for path in (f"/api/v1/dossiers/{code}", f"/api/v1/dossiers/{code}/events"):
            r = await client.get(path, headers=bearer(w["tok"][who]))
            assert r.status_code == 404, (who, path, r.text)
            assert NAME not in r.text and CCCD not in r.text
    # without a token: 401 for reads and writes
    assert (await client.get(f"/api/v1/dossiers/{code}")).status_code == 401
    assert (await client.post(f"/api/v1/dossiers/{code}/receive", json={"version": 2})).status_code == 401
    # another citizen cannot act on it either (to them it does not exist), and nothing changes
    r = await client.post(
        f"/api/v1/dossiers/{code}/actions/stop",
        headers=bearer(w["tok"]["other_citizen"]),
        json={"version": d["version"], "note": "Tôi muốn dừng"},
    )
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert "Không tìm thấy hồ sơ" in r.json()["detail"]
    r = await client.get(f"/api/v1/dossiers/{code}", headers=bearer(w["tok"]["citizen"]))
    assert r.json()["version"] == d["version"] and r.json()["state"] == "submitted"


async def test_events_list_every_transition_in_order(client, world):
    w = world
    d = await _submitted(client, w)
    r = await client.post(
        f"/api/v1/dossiers/{d['code']}/receive",
        headers=bearer(w["tok"]["receiver"]),
        json={"version": d["version"]},
    )
    assert r.status_code == 200
    d = r.json()
    r = await client.post(
        f"/api/v1/dossiers/{d['code']}/actions/stop",
        headers=bearer(w["tok"]["citizen"]),
        json={"version": d["version"], "note": "Xin rút hồ sơ để bổ sung sau"},
    )
    assert r.status_code == 200, r.text
    d = r.json()
    r = await client.get(f"/api/v1/dossiers/{d['code']}/events", headers=bearer(w["tok"]["citizen"]))
    events = r.json()
    assert [e["seq"] for e in events] == list(range(1, d["version"] + 1))
    assert [(e["action"], e["from_state"], e["to_state"]) for e in events] == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("receive", "submitted", "received"),
        ("stop", "received", "stopped"),
    ]
    assert events[3]["note"] == "Xin rút hồ sơ để bổ sung sau" and events[3]["actor_name"] == "Nguyễn Văn An"
    assert events[2]["agency_id"] == w["tree"]["ward"]["id"] and events[2]["data"]["code"] == d["code"]


async def test_public_status_shows_no_personal_data(client, world):
    w = world
    d = await _submitted(client, w)
    r = await client.post(
        f"/api/v1/dossiers/{d['code']}/receive",
        headers=bearer(w["tok"]["receiver"]),
        json={"version": d["version"]},
    )
    assert r.status_code == 200
    forbidden = (NAME, CCCD, PHONE, EMAIL, ADDRESS, SECRET_ANSWER, "Lương", "applicant", "id_number")
    assert (await client.get(f"/api/v1/status/{d['code']}")).status_code == 404, "no key (R36)"
    r = await client.get(f"/api/v1/status/{d['code']}", params={"k": d["lookup_key"]})
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == d["code"] and body["state"] == "received" and body["steps"]
    for text in forbidden:
        assert text not in r.text, text
    r = await client.get(f"/tra-cuu/{d['code']}", params={"k": d["lookup_key"]})
    assert r.status_code == 200 and d["code"] in r.text
    for text in (NAME, CCCD, PHONE, EMAIL, ADDRESS, SECRET_ANSWER):
        assert text not in r.text, text
    # an unknown but well-formed code and a malformed one: 404, no 500
    assert (await client.get(f"/api/v1/status/{w['tree']['ward']['code']}-200101-9999")).status_code == 404
    assert (await client.get("/api/v1/status/%27%3B--")).status_code == 404
