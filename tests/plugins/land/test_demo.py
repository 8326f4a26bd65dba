"""``motcua demo`` for land: hundreds of parcels, certificates, disputes, dossiers at every state;
safe to run twice."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime

from core.api import AgencyRef
from core.catalogue.tables import FeeAmount
from core.dossiers.tables import Dossier
from core.identity.tables import User
from plugins.land.demo import seed
from plugins.land.tables import Certificate, Parcel
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
    for name, key, role in (
        ("demo_receiver_ward", "ward", "receiver"),
        ("demo_receiver_commune", "commune", "receiver"),
        ("demo_ward_specialist", "ward", "specialist"),
        ("demo_ward_chairman", "ward", "approver"),
        ("demo_commune_specialist", "commune", "specialist"),
        ("demo_commune_chairman", "commune", "approver"),
        ("demo_office", "land_office", "specialist"),
        ("demo_director", "land_office", "approver"),
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


async def test_demo_registry_and_dossiers_at_every_state_idempotent(db, caplog):
    ctx = await _ctx()
    with caplog.at_level(logging.WARNING, logger="motcua.land.demo"):
        await seed(ctx)
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    parcels = await Parcel.count()
    assert parcels >= 300
    certs = await Certificate.select(Certificate.serial)
    assert len(certs) >= 150
    assert all(re.fullmatch(r"[A-Z]{2} \d{6}", c["serial"]) for c in certs)
    assert await Parcel.count().where(Parcel.dispute.eq(True)) > 0
    uses = {r["land_use_type"] for r in await Parcel.select(Parcel.land_use_type)}
    assert {"ODT", "ONT", "CLN", "LUC"} <= uses
    states = {r["state"] for r in await Dossier.select(Dossier.state).where(Dossier.domain == "land")}
    assert {
        "draft",
        "submitted",
        "in_processing",
        "supplement_requested",
        "refused",
        "result_approved",
        "result_refused",
        "result_ready",
        "returned",
        "stopped",
        "suspended",
        "closed",
    } <= states, states
    counts = (await FeeAmount.count(), await Dossier.count(), await Certificate.count())
    assert counts[0] >= 5
    await seed(ctx)
    assert await Parcel.count() == parcels
    assert (await FeeAmount.count(), await Dossier.count(), await Certificate.count()) == counts
