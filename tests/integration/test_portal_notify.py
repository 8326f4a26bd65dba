"""The applicant is told at each step the portal names (issue 10): received, supplement needed, fee due
(with the amount and where to pay), late with an apology, result ready; each once, by mail, SMS and
in-app when the applicant has them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.dossiers import service
from core.jobs import runner
from core.notify.tables import Notification
from tests.fixtures.engine_route import PROC, actor, setup_route


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


def _step(d, step_id):
    return next(s for s in d.steps if s.step_id == step_id and s.status == "active")


async def _new(w):
    return await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={
            "name": "Nguyễn Văn An",
            "id_number": "079123456789",
            "phone": "0912345678",
            "email": "an@example.vn",
        },
        data={"subject": "Đề nghị thử nghiệm"},
        channel="truc_tiep",
    )


async def _sent(dossier_id: int) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in await Notification.select(Notification.template, Notification.channel).where(
        Notification.dossier == dossier_id
    ):
        out.setdefault(r["template"], set()).add(r["channel"])
    return out


async def test_each_step_the_applicant_cares_about_is_notified(world):
    w = world
    incomplete = await _new(w)
    await service.request_supplement(
        incomplete.id,
        actor=w["as"]["receiver"],
        version=incomplete.version,
        items=["Bản sao"],
        reason="Thiếu",
    )
    d = await _new(w)
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    d = await service.apologise(
        d.id,
        actor=w["as"]["ward_leader"],
        version=d.version,
        new_due=d.due_at + timedelta(minutes=30),
        reason="Cần xác minh thêm",
    )
    d = await service.complete_step(
        d.id, _step(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    d = await service.complete_step(
        d.id, _step(d, "police_op").id, actor=w["as"]["police_specialist"], version=d.version
    )
    d = await service.complete_step(
        d.id, _step(d, "tax_op").id, actor=w["as"]["tax_specialist"], version=d.version
    )
    d = await service.approve(d.id, _step(d, "decide").id, actor=w["as"]["ward_leader"], version=d.version)
    d = await service.mark_result_ready(d.id, actor=w["as"]["receiver"], version=d.version)
    await runner.run_pending_now()
    assert (await _sent(incomplete.id)).get("supplement_requested") == {"email", "sms"}
    sent = await _sent(d.id)
    for template in ("receipt", "fee_due", "apology", "result_ready"):
        assert sent.get(template) == {"email", "sms"}, (template, sent)
    fee = (
        await Notification.select(Notification.subject, Notification.body)
        .where(
            (Notification.dossier == d.id)
            & (Notification.template == "fee_due")
            & (Notification.channel == "email")
        )
        .first()
    )
    assert d.code in fee["subject"] and "50.000" in fee["body"] and f"/ho-so/{d.code}/le-phi" in fee["body"]
    # delivered again (at least once): no second message
    before = await Notification.count().where(Notification.dossier == d.id)
    from core.dossiers.tables import DossierEvent
    from core.jobs.events import dispatch_event

    receive = (
        await DossierEvent.select(DossierEvent.id)
        .where((DossierEvent.dossier == d.id) & (DossierEvent.action == "receive"))
        .first()
    )
    await dispatch_event({}, event_id=receive["id"])
    assert await Notification.count().where(Notification.dossier == d.id) == before


async def test_no_fee_due_message_when_nothing_is_due(world):
    """A procedure that charges nothing (the test plugin prices only PROC): the receipt, no fee message."""
    from tests.fixtures.engine_route import PROC_PAUSE

    w = world
    d = await service.create(
        PROC_PAUSE,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Nguyễn Văn An", "id_number": "079123456789", "email": "an@example.vn"},
        data={"subject": "Đề nghị thử nghiệm"},
        channel="truc_tiep",
    )
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    await runner.run_pending_now()
    sent = await _sent(d.id)
    assert "receipt" in sent and "fee_due" not in sent
