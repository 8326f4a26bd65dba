"""Signed electronic results go to the citizen's electronic data store (issue 13, R29, R31): through the
outbox to the reference HTTP adapter, against a simulator on loopback; the store's acknowledgement is the
proof of delivery; faults: the store down for a while, an acknowledgement lost (the store answers the same
message twice), a server error, a refusal."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from core.audit.tables import AuditEntry
from core.contract.estore import EDataStore
from core.db.tx import write_tx
from core.documents import estore, service
from core.documents.tables import EStoreDelivery
from core.documents.tasks import render_document
from core.dossiers.tables import Dossier
from core.jobs import relay, tasks
from core.jobs.tables import Outbox
from tests.fixtures.arq import needs_redis, run_worker
from tests.fixtures.estore_simulator import EStoreSimulator, estore_simulator
from tests.integration.test_documents_builders import build_dossier
from tests.integration.test_documents_results import plugin_templates  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("plugin_templates")


@pytest.fixture(scope="module")
def _sim():
    with estore_simulator() as sim:
        yield sim


@pytest.fixture
def sim(_sim: EStoreSimulator, monkeypatch) -> EStoreSimulator:
    _sim.filed.clear()
    _sim.requests.clear()
    _sim._fail.clear()
    _sim._lose_ack = 0
    if _sim._server is None:
        _sim.up()
    monkeypatch.setenv("MOTCUA_ESTORE_URL", _sim.url)
    monkeypatch.setenv("MOTCUA_ESTORE_TOKEN", _sim.token)
    monkeypatch.setenv("MOTCUA_ESTORE_TIMEOUT", "5")
    return _sim


async def _issue(built: dict) -> tuple[dict, dict, int]:
    """A signed result, rendered; returns the document, its delivery and the delivery's outbox row."""
    async with write_tx():
        doc_id = await service.request_result_document(
            built["dossier_id"],
            "demo_result",
            {"title": "Bản sao có chứng thực", "number": "CT-2026-00042", "content": "Bản sao từ bản chính"},
            built["events"]["receive"],
            "demo/result.html",
        )
    await render_document({}, document_id=doc_id)
    doc = await service.get_document(doc_id)
    delivery = await EStoreDelivery.select().where(EStoreDelivery.document == doc_id).first()
    assert delivery is not None, "a signed result is queued for the data store"
    row = await Outbox.select(Outbox.id, Outbox.payload).where(Outbox.task == "deliver_to_estore").first()
    return doc, delivery, row["id"]


async def _delivery(delivery_id: int) -> dict:
    return await EStoreDelivery.select().where(EStoreDelivery.id == delivery_id).first()


async def _outbox(row_id: int) -> dict:
    return await Outbox.select().where(Outbox.id == row_id).first()


async def test_hook_e_data_store(db, sim):
    """Rule: the signed bytes reach the store once, for the applicant's identification number; the store's
    receipt is kept as the proof of delivery and audited; the job delivered again changes nothing."""
    assert isinstance(await estore.adapter(), EDataStore)
    built = await build_dossier()
    doc, delivery, row_id = await _issue(built)
    assert delivery["message_id"] == f"{doc['id']}:v1" and delivery["status"] == "pending"

    assert await tasks.run_outbox_row(row_id) == "done"
    got = await _delivery(delivery["id"])
    assert got["status"] == "delivered" and got["receipt_id"] == "KDL-000001"
    assert got["received_at"] is not None and got["store_sha256"] == doc["sha256"]
    filed = sim.filed[delivery["message_id"]]
    assert filed["owner"] == "075190001234" and filed["content"] == service.read_file(doc)
    assert filed["document"]["number"] == "CT-2026-00042"
    audit = await AuditEntry.select().where(AuditEntry.action == "estore_delivered").output(load_json=True)
    assert len(audit) == 1 and audit[0]["data"]["receipt_id"] == "KDL-000001"

    # Rendering again and running the delivery again send nothing twice.
    await render_document({}, document_id=doc["id"])
    assert await EStoreDelivery.count() == 1
    assert await estore.deliver(delivery["id"]) == "delivered"
    assert len(sim.requests) == 1 and len(sim.filed) == 1


async def test_the_citizen_sees_the_receipt_and_downloads_the_signed_result(db, sim, client):
    """Rule: the citizen's dossier page lists the signed electronic result with its data-store receipt and
    a link that downloads the very signed bytes."""
    import asyncio

    from core.catalogue.registry import get_catalogue
    from core.identity.tables import User
    from tests.fixtures.builders import login_as
    from tests.integration.test_documents_builders import CODE

    built = await build_dossier()
    doc, delivery, row_id = await _issue(built)
    await tasks.run_outbox_row(row_id)  # or the app's runner did it meanwhile
    for _ in range(100):
        if (await _delivery(delivery["id"]))["status"] == "delivered":
            break
        await asyncio.sleep(0.1)
    # The citizen's page needs a procedure the catalogue offers (the test world's is not registered).
    offered = next(iter(get_catalogue().procedures))
    await Dossier.update({Dossier.procedure_code: offered}).where(Dossier.id == built["dossier_id"])
    hang = await User.select(User.id).where(User.username == "hang").first()
    await login_as(client, hang)
    page = await client.get(f"/ho-so-cua-toi/{CODE}")
    assert page.status_code == 200
    assert (
        "KDL-000001" in page.text
        and "Trần Văn Đức" in page.text
        and "Kết quả giải quyết điện tử" in page.text
    )
    link = f"/ho-so/{CODE}/tai-lieu/{doc['id']}.pdf"
    assert link in page.text
    download = await client.get(link)
    assert download.status_code == 200 and download.content == service.read_file(doc)


async def test_store_down_for_a_while_then_back(db, sim):
    built = await build_dossier()
    _doc, delivery, row_id = await _issue(built)
    sim.down()
    try:
        assert await tasks.run_outbox_row(row_id) == "retry"
        row = await _outbox(row_id)
        assert row["status"] == "pending" and row["run_after"] > datetime.now(UTC)  # back-off
        got = await _delivery(delivery["id"])
        assert got["status"] == "pending" and "không trả lời" in got["error"] and got["attempts"] == 1
        assert await tasks.run_outbox_row(row_id) == "retry"
    finally:
        sim.up()
    assert await tasks.run_outbox_row(row_id) == "done"
    got = await _delivery(delivery["id"])
    assert got["status"] == "delivered" and got["attempts"] == 3 and got["error"] == ""
    assert len(sim.filed) == 1


async def test_lost_acknowledgement_and_server_errors_are_retried_without_filing_twice(db, sim):
    built = await build_dossier()
    _doc, delivery, row_id = await _issue(built)
    sim.fail_next(1, 500)
    sim.lose_ack_next(1)
    assert await tasks.run_outbox_row(row_id) == "retry"  # 500
    assert "500" in (await _delivery(delivery["id"]))["error"]
    assert await tasks.run_outbox_row(row_id) == "retry"  # filed, but the answer was lost
    assert len(sim.filed) == 1
    assert await tasks.run_outbox_row(row_id) == "done"  # the store answers the same message again
    got = await _delivery(delivery["id"])
    assert got["status"] == "delivered" and got["receipt_id"] == "KDL-000001"
    assert [r["status"] for r in sim.requests] == [500, 502, 200]
    assert {r["key"] for r in sim.requests} == {delivery["message_id"]}
    assert len(sim.filed) == 1


async def test_a_refusal_fails_at_once_and_can_be_resent(db, sim):
    built = await build_dossier()
    _doc, delivery, row_id = await _issue(built)
    sim.fail_next(1, 400)
    assert await tasks.run_outbox_row(row_id) == "failed"  # a refusal is not retried
    got = await _delivery(delivery["id"])
    assert got["status"] == "rejected" and "từ chối" in got["error"]
    new_row = await tasks.resend(row_id)
    assert await tasks.run_outbox_row(new_row) == "done"
    assert (await _delivery(delivery["id"]))["status"] == "delivered"

    # No valid identification number of the owner: refused before anything is sent.
    built2 = await build_dossier_without_owner()
    _doc2, delivery2, _ = await _issue_second(built2)
    assert delivery2 is not None
    with pytest.raises(Exception, match="số định danh"):
        await estore.deliver(delivery2["id"])
    assert (await _delivery(delivery2["id"]))["status"] == "rejected"


async def build_dossier_without_owner() -> dict:
    """The same dossier as ``build_dossier`` once its applicant's number is erased (a foreign applicant)."""
    built = await Dossier.select(Dossier.id).first()
    await Dossier.update({Dossier.applicant_id_number: ""}).where(Dossier.id == built["id"])
    return {"dossier_id": built["id"]}


async def _issue_second(built: dict) -> tuple[dict, dict, int]:
    from core.dossiers.tables import DossierEvent

    event = (
        await DossierEvent.select(DossierEvent.id).where(DossierEvent.dossier == built["dossier_id"]).first()
    )
    async with write_tx():
        doc_id = await service.request_result_document(
            built["dossier_id"],
            "demo_result_2",
            {"title": "Trích lục", "number": "TL-1"},
            event["id"],
            "demo/result.html",
        )
    await render_document({}, document_id=doc_id)
    delivery = await EStoreDelivery.select().where(EStoreDelivery.document == doc_id).first()
    return await service.get_document(doc_id), delivery, 0


async def test_no_store_configured_queues_nothing(db, monkeypatch):
    monkeypatch.delenv("MOTCUA_ESTORE_URL", raising=False)
    built = await build_dossier()
    async with write_tx():
        doc_id = await service.request_result_document(
            built["dossier_id"],
            "demo_result",
            {"title": "Bản sao"},
            built["events"]["receive"],
            "demo/result.html",
        )
    await render_document({}, document_id=doc_id)
    assert await EStoreDelivery.count() == 0
    assert await Outbox.count().where(Outbox.task == "deliver_to_estore") == 0
    doc = await service.get_document(doc_id)
    assert hashlib.sha256(service.read_file(doc)).hexdigest() == doc["sha256"]


@needs_redis
async def test_delivery_through_the_arq_worker(db, sim, arq_redis):
    pool, queue = arq_redis
    built = await build_dossier()
    _doc, delivery, row_id = await _issue(built)
    sim.fail_next(1, 503)
    for _ in range(5):  # 503 first: the row waits its back-off, then goes to the worker again
        await Outbox.update({Outbox.run_after: None}).where(Outbox.id == row_id)
        await relay.drain(redis=pool, queue_name=queue)
        w = await run_worker(pool, queue)
        assert w.jobs_failed == 0
        if (await _outbox(row_id))["status"] == "done":
            break
    assert (await _outbox(row_id))["status"] == "done"
    assert (await _delivery(delivery["id"]))["status"] == "delivered"
    assert [r["status"] for r in sim.requests] == [503, 201]
    assert len(sim.filed) == 1
