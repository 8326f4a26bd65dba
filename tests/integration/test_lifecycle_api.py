"""The dossier JSON API (/api/v1) end to end, and the HTML status and staff pages."""

from __future__ import annotations

import pytest

from core.identity.api_auth import issue_token
from tests.fixtures.builders import login_as
from tests.fixtures.engine_route import PROC, setup_route


@pytest.fixture
async def world(db, temp_plugin):
    return await setup_route(temp_plugin)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_api_receive_steps_result_return(client, world):
    w = world
    tok = {name: await issue_token(u["id"], "test") for name, u in w["users"].items()}
    r = await client.post(
        "/api/v1/dossiers",
        headers=bearer(tok["citizen"]),
        json={
            "procedure_code": PROC,
            "agency_code": "000.30.31.H39",
            "applicant": {"name": "Nguyễn Văn An"},
            "data": {"subject": "Thử"},
            "channel": "truc_tuyen",
        },
    )
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["state"] == "draft" and d["version"] == 1 and d["code"] is None
    r = await client.post(
        f"/api/v1/dossiers/{d['id']}/submit", headers=bearer(tok["citizen"]), json={"version": 1}
    )
    assert r.status_code == 200, r.text
    code = r.json()["code"]
    r = await client.post(
        f"/api/v1/dossiers/{code}/receive", headers=bearer(tok["receiver"]), json={"version": 2}
    )
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["state"] == "received" and d["allowed_actions"][0]["action"] in {"request_supplement", "stop"}

    def active(d, sid):
        return next(s for s in d["steps"] if s["step_id"] == sid and s["status"] == "active")

    for who, sid in (
        ("ward_specialist", "check"),
        ("tax_specialist", "tax_op"),
        ("police_specialist", "police_op"),
    ):
        r = await client.post(
            f"/api/v1/dossiers/{code}/actions/complete_step",
            headers=bearer(tok[who]),
            json={"version": d["version"], "step_id": active(d, sid)["id"]},
        )
        assert r.status_code == 200, r.text
        d = r.json()
    r = await client.post(
        f"/api/v1/dossiers/{code}/actions/approve",
        headers=bearer(tok["ward_leader"]),
        json={"version": d["version"]},
    )
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["state"] == "result_approved"
    r = await client.post(
        f"/api/v1/dossiers/{code}/actions/mark_result_ready",
        headers=bearer(tok["receiver"]),
        json={"version": d["version"]},
    )
    d = r.json()
    r = await client.post(
        f"/api/v1/dossiers/{code}/actions/return_result",
        headers=bearer(tok["receiver"]),
        json={"version": d["version"], "channel": "counter", "receiver": {"name": ""}},
    )
    assert r.status_code == 422
    body = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert {e["field"] for e in body["errors"]} == {"receiver.name", "receiver.id_number"}

    r = await client.get(f"/api/v1/dossiers/{code}/events", headers=bearer(tok["citizen"]))
    assert r.status_code == 200
    assert [e["action"] for e in r.json()][:3] == ["create", "submit", "receive"]

    r = await client.get(f"/api/v1/status/{code}")
    assert r.status_code == 404, "without the look-up key, an anonymous caller learns nothing (R36)"
    key = (await service_get(code)).lookup_key
    r = await client.get(f"/api/v1/status/{code}", params={"k": key})
    assert r.status_code == 200
    public = r.json()
    assert public["state"] == "result_ready" and "applicant_name" not in public and "Nguyễn" not in r.text


async def service_get(code: str):
    from core.dossiers import service

    return await service.get(code)


async def test_api_errors(client, world):
    w = world
    tok = await issue_token(w["users"]["receiver"]["id"], "t")
    other = await issue_token(w["users"]["tax_specialist"]["id"], "t")
    r = await client.post("/api/v1/dossiers", json={"procedure_code": PROC})
    assert r.status_code == 401
    r = await client.post(
        "/api/v1/dossiers",
        headers=bearer(tok),
        json={
            "procedure_code": "0.000000",
            "agency_code": "000.30.31.H39",
            "applicant": {"name": "A"},
            "data": {},
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "procedure_code"
    r = await client.post(
        "/api/v1/dossiers",
        headers=bearer(tok),
        json={
            "procedure_code": PROC,
            "agency_code": "000.30.31.H39",
            "applicant": {"name": "", "id_number": "12"},
            "data": {"subject": "x"},
            "channel": "truc_tiep",
        },
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} >= {"applicant.name", "applicant.id_number"}
    r = await client.post(
        "/api/v1/dossiers",
        headers=bearer(tok),
        json={
            "procedure_code": PROC,
            "agency_code": "000.30.31.H39",
            "applicant": {"name": "Trần Thị B"},
            "data": {"subject": ""},
            "channel": "truc_tiep",
        },
    )
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["subject"], r.text
    r = await client.post(
        "/api/v1/dossiers",
        headers=bearer(tok),
        json={
            "procedure_code": PROC,
            "agency_code": "000.30.31.H39",
            "applicant": {"name": "Trần Thị B"},
            "data": {"subject": "x"},
            "channel": "truc_tiep",
        },
    )
    d = r.json()
    r = await client.post(f"/api/v1/dossiers/{d['id']}/receive", headers=bearer(tok), json={})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "version"
    r = await client.post(f"/api/v1/dossiers/{d['id']}/receive", headers=bearer(tok), json={"version": 7})
    assert r.status_code == 409
    r = await client.post(f"/api/v1/dossiers/{d['id']}/receive", headers=bearer(other), json={"version": 1})
    assert r.status_code == 404, "staff of unrelated agencies cannot tell the dossier exists"
    r = await client.get(f"/api/v1/dossiers/{d['id']}", headers=bearer(other))
    assert r.status_code == 404, "staff of unrelated agencies do not see the dossier"
    r = await client.get("/api/v1/status/not-a-code")
    assert r.status_code == 404
    r = await client.post(
        f"/api/v1/dossiers/{d['id']}/actions/flag_late", headers=bearer(tok), json={"version": 1}
    )
    assert r.status_code == 403


async def test_status_pages(client, world):
    from core.dossiers import service
    from tests.fixtures.engine_route import actor

    w = world
    receiver = await actor(w["users"]["receiver"])
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=receiver,
        applicant={"name": "Lê Văn Cường"},
        data={"subject": "x"},
        channel="truc_tiep",
    )
    d = await service.receive(d.id, actor=receiver, version=d.version)
    r = await client.get("/tra-cuu")
    assert r.status_code == 200 and 'name="code"' in r.text
    r = await client.get("/tra-cuu", params={"code": "abc"})
    assert r.status_code == 422 and "000.00.31.H39-261123-0001" in r.text
    key = d.lookup_key
    assert len(key) == 8 and key.isalnum() and key.isupper()

    # R36: codes are sequential, so the code alone opens nothing; an unknown code, a missing key and
    # a wrong key all get the same answer (the form again, asking for the key), never the dossier.
    unknown = "000.30.31.H39-200101-0099"
    wrong = "AAAA2222" if key != "AAAA2222" else "BBBB3333"
    r = await client.get("/tra-cuu", params={"code": unknown, "k": wrong})
    assert r.status_code == 422 and "Mã hồ sơ hoặc mã tra cứu không đúng" in r.text
    answer_unknown = r.text
    r = await client.get("/tra-cuu", params={"code": d.code, "k": wrong})
    assert r.status_code == 422 and r.text == answer_unknown.replace(unknown, d.code)
    r = await client.get("/tra-cuu", params={"code": d.code})
    assert r.status_code == 422 and "Nhập mã tra cứu in trên giấy tiếp nhận" in r.text
    for page_key in (None, wrong):
        r = await client.get(f"/tra-cuu/{d.code}", params={"k": page_key} if page_key else {})
        assert r.status_code == 404 and "Kiểm tra hồ sơ" not in r.text and "Thuế tỉnh" not in r.text
        r = await client.get(f"/tra-cuu/{unknown}", params={"k": page_key} if page_key else {})
        assert r.status_code == 404
    typed = f"{key[:4].lower()}-{key[4:].lower()}"  # as printed, in small letters: still opens
    r = await client.get("/tra-cuu", params={"code": d.code, "k": typed}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/tra-cuu/{d.code}?k={key}"
    r = await client.get(f"/tra-cuu/{d.code}", params={"k": key})
    assert r.status_code == 200
    assert "Kiểm tra hồ sơ" in r.text and "Thuế tỉnh Đồng Nai" in r.text and "Lê Văn Cường" not in r.text
    assert key not in r.text.replace(f"k={key}", ""), "the page does not print the key"

    # staff who may read the dossier need no key
    await login_as(client, w["users"]["receiver"])
    r = await client.get("/tra-cuu", params={"code": d.code}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/tra-cuu/{d.code}"
    assert (await client.get(f"/tra-cuu/{d.code}")).status_code == 200


async def test_staff_page_actions_and_conflict(client, world):
    from core.dossiers import service
    from tests.fixtures.engine_route import actor

    w = world
    receiver = await actor(w["users"]["receiver"])
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=receiver,
        applicant={"name": "Lê Văn Cường"},
        data={"subject": "x"},
        channel="truc_tiep",
    )
    r = await client.get(f"/ho-so/{d.id}", follow_redirects=False)
    assert r.status_code in (302, 303)
    await login_as(client, w["users"]["receiver"])
    r = await client.get(f"/ho-so/{d.id}")
    assert r.status_code == 200 and "Lê Văn Cường" in r.text and "/thao-tac/receive" in r.text
    csrf = client.cookies.get("csrftoken")
    r = await client.post(
        f"/ho-so/{d.id}/thao-tac/refuse_intake", data={"version": "1", "note": "", "_csrf_token": csrf}
    )
    assert r.status_code == 422 and "Nhập lý do" in r.text
    r = await client.post(
        f"/ho-so/{d.id}/thao-tac/receive", data={"version": "1", "_csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    d = await service.get(d.id)
    assert d.state == "received" and r.headers["location"] == f"/ho-so/{d.code}"
    r = await client.post(
        f"/ho-so/{d.code}/thao-tac/stop", data={"version": "1", "note": "Rút hồ sơ", "_csrf_token": csrf}
    )
    assert r.status_code == 409
    assert "Tiếp nhận" in r.text, "the conflict page lists what changed since the version the form showed"
    assert (await service.get(d.id)).state == "received"
    client.cookies.clear()  # the server-set session cookie would otherwise keep the receiver signed in
    await login_as(client, w["users"]["tax_specialist"])
    r = await client.get(f"/ho-so/{d.code}")
    assert r.status_code == 404, "an agency whose step waits in a later stage does not see it yet"
    check = next(s for s in d.active_steps() if s.step_id == "check")
    specialist = await actor(w["users"]["ward_specialist"])
    await service.complete_step(d.id, check.id, actor=specialist, version=d.version, note="Đủ")
    r = await client.get(f"/ho-so/{d.code}")
    assert r.status_code == 200, "once handed over, the step's agency sees the dossier"
    assert "/thao-tac/complete_step" in r.text, "and can act on its step"


async def test_hook_dossier_panels(client, world, temp_plugin, tmp_path):
    """A plugin's panel is rendered on the staff dossier page with its context."""
    from core.api import L, Panel, hookimpl
    from core.dossiers import service
    from tests.fixtures.engine_route import actor

    class Panels:
        @hookimpl
        def dossier_panels(self, dossier, user, request):
            return [
                Panel(
                    title=L("Bản ghi sổ", "Register record"),
                    template="dossiers/_test_panel.html",
                    context={"number": f"SO-{dossier['id']}"},
                )
            ]

    import core.text.templating as templating

    env = templating.build_environment("default")
    env.loader.loaders.insert(
        0,
        __import__("jinja2").DictLoader(
            {"dossiers/_test_panel.html": "<p class='test-panel'>{{ number }}</p>"}
        ),
    )
    temp_plugin(Panels(), "t_panels")
    w = world
    receiver = await actor(w["users"]["receiver"])
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=receiver,
        applicant={"name": "Vũ Thị Giang"},
        data={"subject": "x"},
        channel="truc_tiep",
    )
    await login_as(client, w["users"]["receiver"])
    try:
        r = await client.get(f"/ho-so/{d.id}")
    finally:
        env.loader.loaders.pop(0)
    assert r.status_code == 200 and "Bản ghi sổ" in r.text and f"SO-{d.id}" in r.text


async def test_api_bad_input_is_never_a_500(client, world):
    w = world
    tok = await issue_token(w["users"]["receiver"]["id"], "t")
    r = await client.post("/api/v1/dossiers", headers=bearer(tok), json=["not", "an", "object"])
    assert r.status_code == 422
    r = await client.post(
        "/api/v1/dossiers",
        headers=bearer(tok),
        json={
            "procedure_code": PROC,
            "agency_code": "000.30.31.H39",
            "applicant": {"name": "Đỗ Văn H"},
            "data": {"subject": "x"},
            "channel": "truc_tiep",
        },
    )
    d = r.json()
    r = await client.post(f"/api/v1/dossiers/{d['id']}/receive", headers=bearer(tok), json={"version": 1})
    d = r.json()
    for body, status in (
        ({"version": d["version"], "step_id": "abc"}, 422),
        ({"version": d["version"], "step_id": 10**30}, 404),
        ({"version": 10**30}, 403),  # the desk holds no step: refused before the version
        ({"version": "x"}, 422),
    ):
        r = await client.post(
            f"/api/v1/dossiers/{d['code']}/actions/complete_step", headers=bearer(tok), json=body
        )
        assert r.status_code == status, (body, r.text)
    r = await client.post(
        f"/api/v1/dossiers/{d['code']}/actions/stop",
        headers=bearer(tok),
        json={"version": 10**30, "note": "Người nộp xin dừng"},
    )
    assert r.status_code == 409, r.text
    for path in ("/api/v1/dossiers/99999999999999999999999", "/api/v1/dossiers/nope"):
        r = await client.get(path, headers=bearer(tok))
        assert r.status_code == 404
    r = await client.post(
        f"/api/v1/dossiers/{d['code']}/actions/nonsense", headers=bearer(tok), json={"version": d["version"]}
    )
    assert r.status_code == 422
