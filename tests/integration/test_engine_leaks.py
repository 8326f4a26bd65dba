"""Security review (issue 7), item 2: a dossier's history never leaks before the permission check.

The rule: on every route that addresses a dossier, the read rule comes first. A caller who may not
read the dossier (another citizen, staff of an unrelated agency, an agency whose step has not been
handed the dossier yet) gets exactly the 404 of a dossier that does not exist — same status, same
body apart from the identifier they sent — whatever version, action or body they send: no event
list, no staff names, no notes. Drafts, addressed by their numeric id (they have no code yet), are
no exception. A caller who may read but not act is refused (403) before any version check; only
those allowed to act are told, with the change list, that their version is stale.

The action routes are taken from the application's route table, and every action of the transition
table is tried on each, so a new action or a new action route is covered without editing this test.
"""

from __future__ import annotations

import re

import pytest

from core.dossiers import service, states
from core.dossiers.tables import DossierEvent
from core.identity.api_auth import issue_token
from tests.fixtures.builders import grant, login_as
from tests.fixtures.engine_route import PROC, actor, make_user, setup_route

NAME = "Lương Thị Mỹ Duyên"
SECRET_NOTE = "Thiếu bản sao giấy chứng nhận của bà Lê Thị Hoa"
RECEIPT_NOTE = "Đã đối chiếu bản gốc tại quầy số 3"
LEAKS = (
    NAME,
    SECRET_NOTE,
    RECEIPT_NOTE,
    "Ward Specialist",
    "Những gì đã thay đổi",
    "phiên bản",
    "#2 ",
    "#3 ",
)
PREFIXES = ("/ho-so/{code:str}", "/api/v1/dossiers/{code:str}")
STRANGERS = ("tranthib", "commune_receiver", "tax_specialist")


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    stranger = await make_user("tranthib", full_name="Trần Thị Bình", cccd="079301000222")
    await grant(stranger, w["tree"]["province"], "citizen")
    w["users"]["tranthib"] = stranger
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    w["tok"] = {name: await issue_token(u["id"], "t") for name, u in w["users"].items()}
    return w


async def _with_history(w):
    """An online dossier with a history: received, a supplement asked with its reasons, supplied."""
    a = w["as"]
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=a["citizen"],
        applicant={"name": NAME},
        data={"subject": "Đề nghị cấp giấy"},
        channel="truc_tuyen",
    )
    d = await service.submit(d.id, actor=a["citizen"], version=d.version)
    d = await service.receive(d.id, actor=a["receiver"], version=d.version, note=RECEIPT_NOTE)
    step = next(s for s in d.active_steps() if s.step_id == "check")
    d = await service.request_supplement(
        d.id,
        step.id,
        actor=a["ward_specialist"],
        version=d.version,
        items=["Bản sao giấy chứng nhận"],
        reason=SECRET_NOTE,
    )
    return await service.resubmit(d.id, actor=a["citizen"], version=d.version)


def _routes(app, method: str) -> list[str]:
    """Paths of ``method`` routes that address one dossier (pages and JSON API)."""
    return sorted(r.path for r in app.routes if r.path.startswith(PREFIXES) and method in r.methods)


def _action_routes(app) -> list[str]:
    """Every route that runs a transition: ``{action}`` routes × every action of the table (and a
    name that is none), and the routes named after an action (``…/submit``, ``…/receive``)."""
    out = []
    for path in _routes(app, "POST"):
        if "{action:str}" in path:
            out += [path.replace("{action:str}", a) for a in (*states.ACTIONS, "nonsense")]
        elif path.rsplit("/", 1)[-1] in states.ACTIONS:
            out.append(path)
    web = [p for p in out if p.startswith("/ho-so/")]
    api = [p for p in out if p.startswith("/api/")]
    assert len(web) > len(states.ACTIONS) and len(api) > len(states.ACTIONS) + 1, out  # never vacuous
    return out


def _fill(path: str) -> str:
    """Other path parameters: any value (the dossier is what is refused)."""
    return (
        path.replace("{attachment_id:int}", "1")
        .replace("{refund_id:int}", "1")
        .replace("{gateway:str}", "vnpay")
        .replace("{filename:str}", "1.pdf")
    )


async def _send(client, w, who: str, method: str, path: str, ref, version) -> object:
    url = _fill(path).replace("{code:str}", str(ref))
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {w['tok'][who]}"}
        if method == "GET":
            return await client.get(url, headers=headers)
        if path.endswith("/attachments"):
            return await client.post(
                url,
                headers=headers,
                data={"document_code": "x"},
                files={"file": ("a.pdf", b"%PDF-1.4 x", "application/pdf")},
            )
        return await client.post(url, headers=headers, json={"version": version, "note": "x"})
    if method == "GET":
        return await client.get(url)
    return await client.post(
        url,
        data={
            "version": str(version),
            "note": "x",
            "method": "cash",
            "amount": "1",
            "_csrf_token": client.cookies.get("csrftoken"),
        },
    )


def _body(resp, ref) -> str:
    """The response with the identifier the caller sent masked (it is the only thing echoed)."""
    return re.sub(rf"(?<=[/'\";]){re.escape(str(ref))}(?=[/'\"&?])", "<ref>", resp.text)


async def _as(client, w, who):
    client.cookies.clear()
    await login_as(client, w["users"][who])


async def _assert_like_missing(client, w, who, method, path, ref, missing_ref, versions) -> None:
    missing = await _send(client, w, who, method, path, missing_ref, versions[-1])
    assert missing.status_code == 404, (who, path, missing.status_code, missing.text[:300])
    for version in versions:
        r = await _send(client, w, who, method, path, ref, version)
        where = (who, method, path, version)
        assert r.status_code == 404, (*where, r.status_code, r.text[:400])
        assert _body(r, ref) == _body(missing, missing_ref), where
        for secret in LEAKS:
            assert secret not in r.text, (*where, secret)


async def test_strangers_get_the_missing_dossier_404_from_every_action_route(client, app, world):
    w = world
    d = await _with_history(w)
    events = await DossierEvent.count().where(DossierEvent.dossier == d.id)
    missing = f"{w['tree']['ward']['code']}-200101-9999"  # well-formed, never issued
    for who in STRANGERS:
        await _as(client, w, who)
        for path in _action_routes(app):
            versions = (0, d.version - 1, d.version) if who == "tranthib" else (0, d.version)
            await _assert_like_missing(client, w, who, "POST", path, d.code, missing, versions)
            if who == "tranthib":  # by its number too
                await _assert_like_missing(client, w, who, "POST", path, d.id, 987654, (0, d.version))
    now = await service.get(d.id)
    assert now.version == d.version and now.state == d.state
    assert await DossierEvent.count().where(DossierEvent.dossier == d.id) == events


async def test_a_draft_probed_by_its_number_is_like_no_dossier_on_every_route(client, app, world):
    """Drafts have no code, only a sequential id: every route that addresses a dossier applies the
    read rule before anything else, so nobody can enumerate other people's drafts."""
    w = world
    draft = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["citizen"],
        applicant={"name": NAME},
        data={"subject": SECRET_NOTE},
        channel="truc_tuyen",
    )
    await _as(client, w, "tranthib")
    for method in ("GET", "POST"):
        paths = _action_routes(app) if method == "POST" else []
        paths += [p for p in _routes(app, method) if p not in paths and "{action:str}" not in p]
        for path in paths:
            await _assert_like_missing(client, w, "tranthib", method, path, draft.id, 987654, (0, 1))
    # the applicant reaches it by the same number
    await _as(client, w, "citizen")
    assert (await client.get(f"/ho-so/{draft.id}")).status_code == 200
    r = await client.get(
        f"/api/v1/dossiers/{draft.id}", headers={"Authorization": f"Bearer {w['tok']['citizen']}"}
    )
    assert r.status_code == 200 and r.json()["applicant_name"] == NAME
    assert (await service.get(draft.id)).version == 1


async def test_a_reader_who_may_not_act_is_refused_before_the_version(client, world):
    """The applicant reads the dossier but is not the desk: 'not allowed', never the change list;
    the desk, whose page is out of date, is told what changed."""
    w = world
    d = await _with_history(w)
    api = "/api/v1/dossiers"
    r = await client.post(
        f"{api}/{d.code}/actions/refuse_intake",
        headers={"Authorization": f"Bearer {w['tok']['citizen']}"},
        json={"version": 0, "note": "x"},
    )
    assert r.status_code == 403 and "không có quyền" in r.json()["detail"], r.text
    assert "changes" not in r.json() and SECRET_NOTE not in r.text
    r = await client.post(
        f"{api}/{d.code}/actions/stop",
        headers={"Authorization": f"Bearer {w['tok']['receiver']}"},
        json={"version": 1, "note": "Người nộp xin dừng"},
    )
    assert r.status_code == 409 and any(SECRET_NOTE in c for c in r.json()["changes"]), r.text
    assert (await service.get(d.id)).version == d.version


async def test_odd_identifiers_get_the_same_404_never_a_500(client, world):
    w = world
    d = await _with_history(w)
    await _as(client, w, "tranthib")
    headers = {"Authorization": f"Bearer {w['tok']['tranthib']}"}
    for ref in ("²", "١٢", "9" * 20, "%20", "0"):
        for url in (f"/api/v1/dossiers/{ref}", f"/api/v1/dossiers/{ref}/events"):
            assert (await client.get(url, headers=headers)).status_code == 404, (ref, url)
        r = await client.post(f"/api/v1/dossiers/{ref}/actions/stop", headers=headers, json={"version": 0})
        assert r.status_code == 404, (ref, r.text)
        assert (await client.get(f"/ho-so/{ref}")).status_code == 404, ref
    assert (await service.get(d.id)).version == d.version
