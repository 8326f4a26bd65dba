"""Documents and fees through the real lifecycle engine: receipt (form 01) with the fee status,
supplement request (form 02), the control sheet (form 06) from the hand-overs, payment before return."""

from __future__ import annotations

import pytest

from core.contract.errors import NotAllowed
from core.documents import service as documents
from core.documents.tables import GeneratedDocument
from core.documents.tasks import render_document
from core.dossiers import service
from core.fees import service as fees
from tests.conftest import csrf_from
from tests.fixtures.builders import login_as
from tests.fixtures.engine_route import PROC, actor, setup_route
from tests.integration.test_documents_builders import keep_pdf, pdf_text


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


async def _render_all(dossier_id: int) -> dict[str, bytes]:
    rows = await GeneratedDocument.select(GeneratedDocument.id, GeneratedDocument.kind).where(
        (GeneratedDocument.dossier == dossier_id) & GeneratedDocument.kind.like("form%")
    )
    out = {}
    for r in rows:
        await render_document({}, document_id=r["id"])
        out[r["kind"]] = documents.read_file(await documents.get_document(r["id"]))
    return out


def _step(d, step_id):
    return next(s for s in d.steps if s.step_id == step_id and s.status == "active")


async def test_receipt_control_sheet_and_fees_through_the_engine(world, tmp_path):
    w = world
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Nguyễn Văn An", "id_number": "079123456789", "phone": "0912345678"},
        data={"subject": "Đề nghị thử nghiệm"},
        channel="truc_tiep",
    )
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    assert await fees.balance_due(d.id) == 50000
    pdfs = await _render_all(d.id)
    flat = " ".join(pdf_text(pdfs["form01"], tmp_path).split())
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in flat and d.code in flat and "Nguyễn Văn An" in flat
    assert "Thủ tục liên thông thử nghiệm" in flat and "Đơn đề nghị" in flat
    assert "chưa nộp 50.000 đ" in flat and "5 ngày làm việc" in flat
    assert "Receiver" in flat  # the receiving officer's name (test users are named after their role)
    receipt = next(r for r in await documents.documents_for(d.id) if r["kind"] == "form01")
    assert receipt["number"] == "01/BPTNTKQ"  # the ward's reception-and-return desk (form 01 suffix)
    assert "Số: 01/BPTNTKQ" in flat

    for sid, who in (
        ("check", "ward_specialist"),
        ("police_op", "police_specialist"),
        ("tax_op", "tax_specialist"),
    ):
        d = await service.complete_step(d.id, _step(d, sid).id, actor=w["as"][who], version=d.version)
    d = await service.approve(d.id, _step(d, "decide").id, actor=w["as"]["ward_leader"], version=d.version)
    sheet = await documents.request_control_sheet(d.id)
    assert await documents.request_control_sheet(d.id) == sheet  # nothing moved: the same sheet
    await render_document({}, document_id=sheet)
    flat = " ".join(pdf_text(documents.read_file(await documents.get_document(sheet)), tmp_path).split())
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in flat
    assert "Thuế tỉnh Đồng Nai" in flat and "Công an tỉnh Đồng Nai" in flat
    assert "Trước hạn" in flat or "Đúng hạn" in flat

    d = await service.mark_result_ready(d.id, actor=w["as"]["receiver"], version=d.version)
    receiver = {"name": "Nguyễn Văn An", "id_number": "079123456789"}
    with pytest.raises(NotAllowed, match="50.000"):
        await service.return_result(
            d.id, actor=w["as"]["receiver"], version=d.version, channel="counter", receiver=receiver
        )
    paid = await fees.record_payment(d.id, actor=w["as"]["receiver"], method="cash", amount=50000)
    await render_document({}, document_id=paid["document_id"])
    d = await service.return_result(
        d.id, actor=w["as"]["receiver"], version=d.version, channel="counter", receiver=receiver
    )
    assert d.state == "returned"


async def test_supplement_request_prints_every_item(world, tmp_path):
    w = world
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Trần Thị Bích", "id_number": "079123456780"},
        data={"subject": "Đề nghị thử nghiệm"},
        channel="truc_tiep",
    )
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    d = await service.request_supplement(
        d.id,
        actor=w["as"]["ward_specialist"],
        version=d.version,
        items=["Bản sao sổ hộ khẩu", "Ảnh 4x6"],
        reason="Hồ sơ chưa đủ thành phần",
        step_id=_step(d, "check").id,
    )
    flat = " ".join(pdf_text((await _render_all(d.id))["form02"], tmp_path).split())
    assert "1 Bản sao sổ hộ khẩu" in flat and "2 Ảnh 4x6" in flat
    assert "Lý do: Hồ sơ chưa đủ thành phần" in flat and "Trần Thị Bích" in flat


async def test_documents_page_and_control_sheet_request(world, client):
    w = world
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Lê Văn Cường", "id_number": "079123456781"},
        data={"subject": "Đề nghị thử nghiệm"},
        channel="truc_tiep",
    )
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    from core.jobs.tables import Outbox

    # keep form 01 pending for the test: the background runner must not render it meanwhile
    await Outbox.delete().where(Outbox.task == "render_document")
    await GeneratedDocument.update({GeneratedDocument.status: "pending"}).where(
        GeneratedDocument.dossier == d.id
    )
    await login_as(client, w["users"]["ward_specialist"])
    page = await client.get(f"/ho-so/{d.code}/tai-lieu")
    assert page.status_code == 200 and "Mẫu số 01" in page.text
    assert 'hx-trigger="every 3s"' in page.text  # a document is still being rendered: the list polls
    fragment = await client.get(f"/ho-so/{d.code}/tai-lieu", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and 'id="docs"' in fragment.text and "<html" not in fragment.text
    resp = await client.post(
        f"/ho-so/{d.code}/tai-lieu/phieu-kiem-soat",
        data={"_csrf_token": csrf_from(client)},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    kinds = [r["kind"] for r in await documents.documents_for(d.id)]
    assert kinds.count("form06") == 1


async def test_control_sheet_follows_a_send_back_in_the_order_it_happened(world, tmp_path):
    """Form 06 from the hand-overs: parallel opinions, a send-back with its reason, the redo, the
    decision and the return to the desk — one row each, in time order, each with its step's result."""
    w = world
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Phạm Thị Dung", "id_number": "079123456782"},
        data={"subject": "Đề nghị thử nghiệm"},
        channel="truc_tiep",
    )
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    for sid, who in (
        ("check", "ward_specialist"),
        ("police_op", "police_specialist"),
        ("tax_op", "tax_specialist"),
    ):
        d = await service.complete_step(d.id, _step(d, sid).id, actor=w["as"][who], version=d.version)
    d = await service.return_step(
        d.id,
        _step(d, "decide").id,
        actor=w["as"]["ward_leader"],
        version=d.version,
        reason="Ý kiến thuế chưa nêu số tiền",
    )
    for sid, who in (("tax_op", "tax_specialist"), ("police_op", "police_specialist")):
        d = await service.complete_step(d.id, _step(d, sid).id, actor=w["as"][who], version=d.version)
    d = await service.approve(d.id, _step(d, "decide").id, actor=w["as"]["ward_leader"], version=d.version)
    d = await service.mark_result_ready(d.id, actor=w["as"]["receiver"], version=d.version)
    sheet = await documents.request_control_sheet(d.id)
    ctx = (await documents.get_document(sheet))["context"]
    rows = ctx["rows"]
    ward, police, tax = (w["tree"][k]["name"] for k in ("ward", "police", "tax"))
    assert ctx["lead_agency"] == ward and ctx["co_agencies"] == sorted([police, tax])
    assert [(r["giver"], r["receiver"]) for r in rows] == [
        (ward, ward),  # desk → check
        (ward, tax),
        (ward, police),  # check → both opinions (parallel, route order)
        (police, ward),
        (tax, ward),  # opinions → decision
        (ward, tax),
        (ward, police),  # decision sends the opinions back
        (tax, ward),
        (police, ward),  # redone, in the order they finished
        (ward, ward),  # decision → the desk, result ready
    ]
    assert rows[0]["note"] == "Tiếp nhận, chuyển hồ sơ" and rows[0]["result"] == ""
    assert all(r["result"] in ("Trước hạn", "Đúng hạn", "Quá hạn") for r in rows[1:])
    assert rows[5]["note"] == rows[6]["note"] == "Trả lại bước trước: Ý kiến thuế chưa nêu số tiền"
    assert rows[-1]["note"] == "Trả kết quả về Bộ phận Một cửa" and rows[-1]["receiver_person"] == "Receiver"
    handed = [r["handed_at"] for r in rows]
    assert handed == sorted(handed)
    await render_document({}, document_id=sheet)
    pdf = documents.read_file(await documents.get_document(sheet))
    keep_pdf("form06_send_back", pdf)
    flat = " ".join(pdf_text(pdf, tmp_path, layout=False).split())
    assert "Ý kiến thuế chưa nêu số tiền" in flat and "Trả kết quả về Bộ phận Một cửa" in flat
