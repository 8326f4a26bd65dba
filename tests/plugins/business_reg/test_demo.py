"""``motcua demo`` for business registration: hundreds of businesses across the communes, dossiers at
every state driven by the demo staff; safe to run twice."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from core.api import AgencyRef
from core.dossiers.tables import Dossier
from core.identity.tables import User
from plugins.business_reg import taxcode
from plugins.business_reg.demo import seed
from plugins.business_reg.tables import Business, BusinessLine, BusinessOwner
from tests.fixtures.builders import grant, standard_tree


async def _user(name: str, cccd: str | None = None) -> dict:
    row = User(
        username=name,
        full_name=name,
        cccd=cccd,
        phone="0912345678",
        email=f"{name}@example.vn",
        password_hash="!",
        created_at=datetime.now(UTC),
    )
    await row.save()
    return {"id": row.id}


async def _ctx():
    tree = await standard_tree()
    users = {}
    for key in ("ward", "commune"):
        for role in ("receiver", "specialist", "approver"):
            u = await _user(f"demo_{key}_{role}")
            await grant(u, tree[key], role)
            users[f"demo_{key}_{role}"] = u["id"]
    for name, key, role in (
        ("demo_centre", "centre", "receiver"),
        ("demo_registry", "bizreg", "specialist"),
        ("demo_head", "bizreg", "approver"),
        ("demo_tax", "tax", "specialist"),
    ):
        u = await _user(name)
        await grant(u, tree[key], role)
        users[name] = u["id"]
    users["demo_citizen"] = (await _user("demo_citizen", cccd="075199001122"))["id"]
    agencies = {
        a["code"]: AgencyRef(a["id"], a["code"], a["name"], a["level"], a["kind"]) for a in tree.values()
    }
    return {"agencies": agencies, "users": users, "today": date(2026, 11, 23)}


async def test_demo_register_and_dossiers_at_every_state_idempotent(db, caplog):
    ctx = await _ctx()
    with caplog.at_level(logging.WARNING, logger="motcua.business_reg.demo"):
        await seed(ctx)
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    rows = await Business.select(Business.code, Business.kind, Business.core_key, Business.agency_id)
    assert len([r for r in rows if r["kind"] == "enterprise"]) >= 150
    assert len({r["agency_id"] for r in rows if r["kind"] == "household"}) == 2  # both communes
    assert len(rows) >= 250
    assert all(taxcode.is_valid(r["code"]) for r in rows)
    assert len({r["core_key"] for r in rows}) == len(rows)  # no two names clash
    assert await BusinessOwner.count() >= len(rows) and await BusinessLine.count() >= len(rows)
    states = {r["state"] for r in await Dossier.select(Dossier.state).where(Dossier.domain == "business_reg")}
    assert {
        "draft",
        "submitted",
        "received",
        "in_processing",
        "supplement_requested",
        "refused",
        "result_approved",
        "result_refused",
        "result_ready",
        "returned",
        "stopped",
    } <= states, states
    procs = {
        r["procedure_code"]
        for r in await Dossier.select(Dossier.procedure_code).where(Dossier.state == "returned")
    }
    assert procs == {"2.000720", "1.010026", "1.010027"}
    counts = (await Business.count(), await Dossier.count())
    await seed(ctx)
    assert (await Business.count(), await Dossier.count()) == counts
