"""Issue 3, audit and codes: every transition lands on the audit chain of the agency that acted (one
chain per agency), codes count in one row per (agency, day), and ``motcua audit verify`` — run as an
operator runs it — names the first broken row when a dossier's audit row is altered or removed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from core.audit import chain
from core.audit.tables import AuditEntry, AuditHead
from core.dossiers import codes, service
from core.dossiers.tables import CodeCounter, DossierEvent
from tests.fixtures.engine_route import PROC, actor, setup_route

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def motcua(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
        cwd=ROOT,
    )


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


async def _received(w, agency="ward"):
    who = "receiver" if agency == "ward" else "commune_receiver"
    d = await service.create(
        PROC,
        w["tree"][agency]["id"],
        actor=w["as"][who],
        applicant={"name": "Tạ Minh Quân"},
        data={"subject": "x"},
        channel="truc_tiep",
    )
    return await service.receive(d.id, actor=w["as"][who], version=d.version)


def active(d, sid):
    return next(s for s in d.active_steps() if s.step_id == sid)


async def test_each_agency_has_its_own_chain_and_every_transition_is_on_it(world):
    w = world
    d = await _received(w)
    d = await service.complete_step(
        d.id, active(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    d = await service.complete_step(
        d.id, active(d, "tax_op").id, actor=w["as"]["tax_specialist"], version=d.version
    )
    d = await service.complete_step(
        d.id, active(d, "police_op").id, actor=w["as"]["police_specialist"], version=d.version
    )
    events = await DossierEvent.select().where(DossierEvent.dossier == d.id).order_by(DossierEvent.seq)
    audit = (
        await AuditEntry.select()
        .where(AuditEntry.object_type == "dossier")
        .order_by(AuditEntry.id)
        .output(load_json=True)
    )
    code_of = {w["tree"][k]["id"]: w["tree"][k]["code"] for k in ("ward", "tax", "police")}
    # one audit row per event, on the chain of the agency that acted, pointing back at the event
    assert len(audit) == len(events)
    for ev, row in zip(events, audit, strict=True):
        assert row["action"] == f"dossier.{ev['action']}"
        assert row["chain"] == f"agency:{code_of[ev['agency'] or w['tree']['ward']['id']]}"
        assert row["data"].get("event_id") == ev["id"]
    chains = {r["chain"]: r["seq"] for r in await AuditHead.select()}
    assert chains[f"agency:{code_of[w['tree']['tax']['id']]}"] == 1
    assert chains[f"agency:{code_of[w['tree']['police']['id']]}"] == 1
    assert chains[f"agency:{code_of[w['tree']['ward']['id']]}"] >= 3
    assert await chain.verify_all() == []


async def test_one_counter_row_per_agency_and_day(world):
    w = world
    ward = [await _received(w) for _ in range(3)]
    commune = await _received(w, "commune")
    assert [int(d.code.rsplit("-", 1)[1]) for d in ward] == [1, 2, 3]
    assert commune.code.endswith("-0001") and commune.code.startswith(w["tree"]["commune"]["code"] + "-")
    rows = await CodeCounter.select(CodeCounter.agency_code, CodeCounter.last).order_by(
        CodeCounter.agency_code
    )
    assert sorted((r["agency_code"], r["last"]) for r in rows) == sorted(
        [(w["tree"]["ward"]["code"], 3), (w["tree"]["commune"]["code"], 1)]
    )
    assert all(codes.is_valid_code(d.code) for d in [*ward, commune])
    parsed = codes.parse_code(ward[0].code)
    assert parsed.agency == w["tree"]["ward"]["code"] and parsed.seq == 1


async def test_cli_verify_names_the_altered_dossier_row(world):
    w = world
    for _ in range(3):
        await _received(w)
    ok = motcua("audit", "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    ward_chain = f"agency:{w['tree']['ward']['code']}"
    row = await AuditEntry.select().where((AuditEntry.chain == ward_chain) & (AuditEntry.seq == 3)).first()
    await AuditEntry.update({AuditEntry.object_id: "000.00.00.H00-000000-0000"}).where(
        AuditEntry.id == row["id"]
    )
    bad = motcua("audit", "verify")
    assert bad.returncode == 1
    assert f"Chuỗi '{ward_chain}': bản ghi số 3 (id {row['id']}) đã bị sửa." in bad.stdout


async def test_cli_verify_names_the_removed_row(world):
    w = world
    for _ in range(3):
        await _received(w)
    ward_chain = f"agency:{w['tree']['ward']['code']}"
    head = await AuditHead.select().where(AuditHead.chain == ward_chain).first()
    n = head["seq"] - 2  # the second receipt's "create" row
    await AuditEntry.delete().where((AuditEntry.chain == ward_chain) & (AuditEntry.seq == n))
    bad = motcua("audit", "verify")
    assert bad.returncode == 1
    assert f"Chuỗi '{ward_chain}': thiếu bản ghi số {n} (gặp số {n + 1})." in bad.stdout


async def test_cli_verify_names_the_removed_last_row(world):
    w = world
    await _received(w)
    ward_chain = f"agency:{w['tree']['ward']['code']}"
    last = (await AuditHead.select().where(AuditHead.chain == ward_chain).first())["seq"]
    await AuditEntry.delete().where((AuditEntry.chain == ward_chain) & (AuditEntry.seq == last))
    bad = motcua("audit", "verify")
    assert bad.returncode == 1
    assert f"Chuỗi '{ward_chain}': bản ghi cuối (số {last}) đã bị xoá." in bad.stdout


async def test_logins_permissions_and_configuration_are_on_the_chains_too(world):
    """Besides transitions: a login, a failed login, a role granted, a procedure switched off and a
    calendar override each append a row, and the chains still verify."""
    from datetime import date

    from core.catalogue import service as catalogue
    from core.clock import service as calendar_admin
    from core.contract.errors import MotcuaError
    from core.identity import service as identity

    w = world
    uid = await identity.create_user("kiemtra", "Kiểm Tra Viên", "mật-khẩu-đủ-dài-2026")
    await identity.authenticate("kiemtra", "mật-khẩu-đủ-dài-2026", ip="10.0.0.1")
    with pytest.raises(MotcuaError):
        await identity.authenticate("kiemtra", "sai-mật-khẩu", ip="10.0.0.2")
    await identity.grant_role(None, uid, w["tree"]["ward"]["id"], "specialist")
    await catalogue.set_enabled(PROC, w["tree"]["commune"]["id"], False, actor_id=uid)
    await calendar_admin.add_override(
        date(2027, 3, 3), "off", "Nghỉ đột xuất", "Quyết định 1/QĐ-UBND", actor_id=uid
    )
    from core.clock.calendar import invalidate

    invalidate()
    rows = await AuditEntry.select(AuditEntry.chain, AuditEntry.action).where(AuditEntry.actor_id == uid)
    failures = await AuditEntry.select(AuditEntry.chain, AuditEntry.action).where(
        AuditEntry.action == "login_failed"
    )
    got = {(r["chain"], r["action"]) for r in [*rows, *failures]}
    assert (f"user:{uid}", "login") in got and (f"user:{uid}", "login_failed") in got
    assert any(action == "calendar_override_added" for _c, action in got)
    assert any(c == f"agency:{w['tree']['commune']['code']}" for c, _a in got), (
        "the switch-off, at that agency"
    )
    grants = await AuditEntry.select(AuditEntry.chain).where(
        (AuditEntry.action == "role_granted") & (AuditEntry.object_id == str(uid))
    )
    assert [g["chain"] for g in grants] == [f"agency:{w['tree']['ward']['code']}"]
    assert await chain.verify_all() == []
