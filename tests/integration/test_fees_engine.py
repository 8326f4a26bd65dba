"""Fees through the real lifecycle engine: the quote frozen at receipt, payment by post with its
receipt, no return while anything is due, and the refund owed when the paid dossier is refused."""

from __future__ import annotations

import pytest

from core.contract.errors import NotAllowed
from core.documents import service as documents
from core.documents.tasks import render_document
from core.dossiers import service
from core.fees import service as fees
from core.fees.tables import Payment
from core.jobs import runner
from tests.fixtures.engine_route import PROC, actor, setup_route
from tests.integration.test_documents_builders import keep_pdf, pdf_text


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


def _step(d, step_id):
    return next(s for s in d.steps if s.step_id == step_id and s.status == "active")


async def _received(w, name: str):
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": name, "id_number": "079123456783", "address": "Tổ 3, phường Trấn Biên"},
        data={"subject": "Đề nghị thử nghiệm"},
        channel="truc_tiep",
    )
    return await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)


async def _to_decision(w, d):
    for sid, who in (
        ("check", "ward_specialist"),
        ("police_op", "police_specialist"),
        ("tax_op", "tax_specialist"),
    ):
        d = await service.complete_step(d.id, _step(d, sid).id, actor=w["as"][who], version=d.version)
    return d


async def test_paid_by_post_then_refused_owes_a_refund(world, tmp_path):
    w = world
    d = await _received(w, "Võ Thị Em")
    lines = await fees.fee_lines(d.id)
    assert sum(line["amount"] for line in lines) == 50000 and all(
        isinstance(line["amount"], int) for line in lines
    )
    paid = await fees.record_payment(
        d.id, actor=w["as"]["receiver"], method="post", amount=50000, reference="BCCI-2611-0042"
    )
    assert await fees.balance_due(d.id) == 0
    await render_document({}, document_id=paid["document_id"])
    pdf = documents.read_file(await documents.get_document(paid["document_id"]))
    keep_pdf("fee_receipt_post", pdf)
    flat = " ".join(pdf_text(pdf, tmp_path).split())
    assert "Nộp qua bưu điện — số biên nhận: BCCI-2611-0042" in flat and "Năm mươi nghìn đồng" in flat

    d = await _to_decision(w, d)
    d = await service.reject(
        d.id,
        _step(d, "decide").id,
        actor=w["as"]["ward_leader"],
        version=d.version,
        reasons="Không đủ điều kiện theo quy định",
    )
    await runner.run_pending_now()  # the outbox delivers the refusal to the fees module
    await runner.run_pending_now()  # delivered again: still one refund
    refunds = await Payment.select().where((Payment.dossier == d.id) & (Payment.kind == "refund"))
    assert [(r["amount"], r["status"]) for r in refunds] == [(50000, "pending")]
    assert (await fees.totals(d.id))["refund_owed"] == 50000


async def test_result_cannot_be_returned_while_a_fee_is_due(world):
    w = world
    d = await _received(w, "Đỗ Văn Phúc")
    d = await _to_decision(w, d)
    d = await service.approve(d.id, _step(d, "decide").id, actor=w["as"]["ward_leader"], version=d.version)
    d = await service.mark_result_ready(d.id, actor=w["as"]["receiver"], version=d.version)
    receiver = {"name": "Đỗ Văn Phúc", "id_number": "079123456783"}
    with pytest.raises(NotAllowed, match="50.000"):
        await service.return_result(
            d.id, actor=w["as"]["receiver"], version=d.version, channel="counter", receiver=receiver
        )
    after = await service.get(d.id)
    assert after.state == "result_ready" and after.version == d.version, "nothing changed"
    await fees.record_payment(d.id, actor=w["as"]["receiver"], method="cash", amount=50000)
    d = await service.return_result(
        d.id, actor=w["as"]["receiver"], version=d.version, channel="counter", receiver=receiver
    )
    assert d.state == "returned"
    assert (await fees.totals(d.id))["refund_owed"] == 0
