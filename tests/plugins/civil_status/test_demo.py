"""The demo loader: hundreds of registry rows, deterministic, consistent with the checks, idempotent."""

from __future__ import annotations

from datetime import date

from core.api import AgencyRef
from plugins.civil_status import demo, procedures, validation
from plugins.civil_status.tables import CivilBook, CivilEntry, CivilExtract
from tests.fixtures.builders import grant, make_user, standard_tree

TODAY = date(2026, 11, 23)


async def _ctx():
    tree = await standard_tree()
    users = {}
    for key in ("ward", "commune"):
        for role in ("receiver", "specialist", "approver"):
            u = await make_user(f"{key}_{role}")
            await grant(u, tree[key], role)
            users[u["username"]] = u["id"]
    for key, role in (("police", "specialist"), ("social_insurance", "specialist")):
        u = await make_user(f"{key}_{role}")
        await grant(u, tree[key], role)
        users[u["username"]] = u["id"]
    users["demo_citizen"] = (await make_user("demo_citizen", cccd="075199001122"))["id"]
    agencies = {
        a["code"]: AgencyRef(a["id"], a["code"], a["name"], a["level"], a["kind"]) for a in tree.values()
    }
    return {"agencies": agencies, "users": users, "today": TODAY}


async def _registry_only(ctx):
    import random

    communes = sorted((a for a in ctx["agencies"].values() if a.level == "commune"), key=lambda a: a.code)
    return await demo.seed_registry(communes, TODAY, random.Random(20261123), set())


async def test_demo_registry_is_large_consistent_and_idempotent(db):
    ctx = await _ctx()
    assert await _registry_only(ctx) >= 400
    entries = await CivilEntry.count().where(CivilEntry.dossier_code == "")
    assert entries >= 400
    assert await CivilExtract.count() >= entries
    statuses = {
        r["status"] for r in await CivilEntry.select(CivilEntry.status).where(CivilEntry.kind == "marriage")
    }
    assert {"active", "dissolved", "ended_death"} <= statuses
    # numbers are 1..n in every book
    for book in await CivilBook.select().where(CivilBook.kind.is_in(["birth", "marriage", "death"])):
        nums = sorted(
            r["entry_number"]
            for r in await CivilEntry.select(CivilEntry.entry_number).where(CivilEntry.book == book["id"])
        )
        assert nums[: book["last_entry"]] == list(range(1, book["last_entry"] + 1))
    # an active demo marriage blocks a new one, by book/entry only
    m = (
        await CivilEntry.select()
        .where(
            (CivilEntry.kind == "marriage")
            & (CivilEntry.status == "active")
            & (CivilEntry.dossier_code == "")
        )
        .first()
    )
    data = {
        "husband_cccd": m["person_cccd"],
        "wife_cccd": "075198000001",
        "husband_birth_date": "1990-01-01",
        "wife_birth_date": "1995-01-01",
    }
    errs = await validation.validate(procedures.BY_CODE[procedures.MARRIAGE], None, data, {"today": TODAY})
    assert errs and errs[0].field == "husband_cccd" and m["partner_name"] not in errs[0].message
    assert await _registry_only(ctx) == 0
    assert await CivilEntry.count().where(CivilEntry.dossier_code == "") == entries


async def test_demo_dossiers_reach_every_state(db, caplog):
    import logging

    from core.dossiers.tables import Dossier

    ctx = await _ctx()
    with caplog.at_level(logging.WARNING, logger="motcua.civil_status.demo"):
        await demo.seed(ctx)
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    states = {r["state"] for r in await Dossier.select(Dossier.state)}
    assert {
        "draft",
        "submitted",
        "refused",
        "in_processing",
        "supplement_requested",
        "result_approved",
        "result_refused",
        "result_ready",
        "returned",
        "stopped",
        "suspended",
        "closed",
    } <= states, states
    # the dossiers that reached a result wrote the registry
    assert await CivilEntry.count().where(CivilEntry.dossier_code != "") > 0
    before = await Dossier.count()
    await demo.seed(ctx)
    assert await Dossier.count() == before
