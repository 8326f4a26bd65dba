"""The ``after_transition`` hook: every transition (creation included) calls it inside its write
transaction, after the dossier, the event and the audit entry are written; core's own reactions
(outbox, fees, legal forms) are implementations of it, and one that raises rolls everything back."""

from __future__ import annotations

import pytest

from core.api import hookimpl
from core.audit.tables import AuditEntry
from core.contract.errors import NotAllowed
from core.documents.tables import GeneratedDocument
from core.dossiers import service
from core.dossiers.tables import Dossier, DossierEvent, DossierStep
from core.fees.tables import DossierFee
from core.jobs.tables import Outbox
from tests.fixtures.engine_route import PROC, actor, setup_route


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


async def _create(w):
    return await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Nguyễn Văn An", "id_number": "079123456789"},
        data={"subject": "Đề nghị thử nghiệm"},
        channel="truc_tiep",
    )


class Watcher:
    """Records what it sees, from inside the transaction, of each transition."""

    def __init__(self, refuse: str | None = None):
        self.seen: list[dict] = []
        self.refuse = refuse

    @hookimpl
    async def after_transition(self, transition):
        from core.db.tx import engine

        event = await DossierEvent.select().where(DossierEvent.id == transition.event_id).first()
        row = (
            await Dossier.select(Dossier.state, Dossier.version)
            .where(Dossier.id == transition.dossier_id)
            .first()
        )
        self.seen.append(
            {
                "action": transition.action,
                "from": transition.from_state,
                "to": transition.to_state,
                "seq": transition.seq,
                "in_tx": engine().transaction_exists(),
                "event_seq": event["seq"],
                "row": (row["state"], row["version"]),
                "queued": [
                    r["task"]
                    for r in await Outbox.select(Outbox.task).where(Outbox.id > 0).order_by(Outbox.id)
                ],
                "fees": await DossierFee.count().where(DossierFee.dossier == transition.dossier_id),
                "forms": list(transition.forms),
                "agency": (await transition.receiving_agency()).code,
                "code": transition.dossier.get("code"),
            }
        )
        if transition.action == self.refuse:
            raise NotAllowed("Hệ thống liên thông từ chối thao tác.")
        return {"watched": True}


async def test_hook_after_transition(world, temp_plugin):
    """Creation and receipt both call the hook in their transaction, after the event; the outbox
    dispatch (tryfirst) is queued before it and the legal form (trylast) after; returned keys land
    in the event's data."""
    watcher = temp_plugin(Watcher(), "watcher")
    d = await _create(world)
    d = await service.receive(d.id, actor=world["as"]["receiver"], version=d.version)
    create, receive = watcher.seen
    ward = world["tree"]["ward"]["code"]
    assert create == {
        "action": "create",
        "from": "",
        "to": "draft",
        "seq": 1,
        "in_tx": True,
        "event_seq": 1,
        "row": ("draft", 1),
        "queued": ["dispatch_event"],
        "fees": 0,
        "forms": [],
        "agency": ward,
        "code": None,
    }
    assert receive["action"] == "receive" and (receive["from"], receive["to"]) == ("draft", "received")
    assert (
        receive["in_tx"] and receive["seq"] == receive["event_seq"] == 2 and receive["row"] == ("received", 2)
    )
    assert receive["queued"] == ["dispatch_event", "dispatch_event"], (
        "the legal form is queued after the hook"
    )
    assert receive["forms"] == [("form01", None)] and receive["code"] == d.code
    events = (
        await DossierEvent.select()
        .where(DossierEvent.dossier == d.id)
        .order_by(DossierEvent.seq)
        .output(load_json=True)
    )
    assert [e["data"]["watched"] for e in events] == [True, True]
    assert events[1]["data"]["fee_total"] == 50_000, "core.fees' reaction adds the quote's total"
    assert events[0]["data"]["channel"] == "truc_tiep"
    tasks = [r["task"] for r in await Outbox.select(Outbox.task).order_by(Outbox.id)]
    assert tasks == ["dispatch_event", "dispatch_event", "render_document"]
    assert [r["kind"] for r in await GeneratedDocument.select(GeneratedDocument.kind)] == ["form01"]
    assert await DossierFee.count().where(DossierFee.dossier == d.id) == 1


async def test_a_failing_reaction_rolls_the_whole_transition_back(world, temp_plugin):
    temp_plugin(Watcher(refuse="receive"), "watcher")
    d = await _create(world)
    before = {
        "outbox": await Outbox.count(),
        "audit": await AuditEntry.count(),
        "docs": await GeneratedDocument.count(),
    }
    with pytest.raises(NotAllowed, match="liên thông từ chối"):
        await service.receive(d.id, actor=world["as"]["receiver"], version=d.version)
    row = await Dossier.select().where(Dossier.id == d.id).first()
    assert (row["state"], row["version"], row["code"], row["due_at"]) == ("draft", 1, None, None)
    assert await DossierEvent.count().where(DossierEvent.dossier == d.id) == 1
    assert await DossierStep.count().where(DossierStep.dossier == d.id) == 0
    assert await DossierFee.count().where(DossierFee.dossier == d.id) == 0
    assert {
        "outbox": await Outbox.count(),
        "audit": await AuditEntry.count(),
        "docs": await GeneratedDocument.count(),
    } == before


async def test_a_refused_creation_leaves_no_dossier(world, temp_plugin):
    temp_plugin(Watcher(refuse="create"), "watcher")
    with pytest.raises(NotAllowed):
        await _create(world)
    assert await Dossier.count() == 0 and await DossierEvent.count() == 0 and await Outbox.count() == 0
